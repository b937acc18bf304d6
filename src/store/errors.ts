/**
 * Typed failures of the store backends, besides StoreConflict (types.ts). The API and the CLI map
 * them by class: InvalidPageToken becomes AWS's InvalidToken, StoreOpenError is printed as is.
 */

/** A nextToken that this store did not hand out for this listing (or that is corrupt). */
export class InvalidPageToken extends Error {
  override readonly name = 'InvalidPageToken';
  constructor(message = 'Invalid Token: the nextToken is not valid for this request') {
    super(message);
  }
}

/**
 * The database cannot be opened: not an SQLite file, not a Stepwise database, a schema newer than
 * this release, or a location that cannot be written. The message is meant for a human; the CLI
 * prints it without a stack.
 */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    message: string,
    /** The location that was being opened. */
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
