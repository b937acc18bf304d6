/** A path (or a filter inside one) that Jayway JsonPath would refuse to compile. */
export class PathSyntaxError extends Error {
  override readonly name = 'PathSyntaxError';
}

export function fail(message: string): never {
  throw new PathSyntaxError(message);
}
