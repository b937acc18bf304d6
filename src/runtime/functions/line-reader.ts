/**
 * Splits a stream of text into lines for the logs, holding at most `maxLine` characters: a
 * longer line is passed on in pieces, so a function printing without newlines cannot grow the
 * server's memory.
 */
export class LineReader {
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 16 * 1024,
  ) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      this.emit(text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    while (text.length > this.maxLine) {
      this.emit(text.slice(0, this.maxLine));
      text = text.slice(this.maxLine);
    }
    this.partial = text;
  }

  /** Passes on what is left after the stream ended. */
  end(): void {
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
