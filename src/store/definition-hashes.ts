/**
 * Definitions are stored once per distinct text, keyed by its sha256: executions of one state
 * machine repeat a few texts, so the hashes of the texts seen lately are remembered (a bounded
 * map) rather than computed on every start. Shared by the SQLite and PostgreSQL writers.
 */
import { createHash } from 'node:crypto';

const REMEMBERED = 256;

export class DefinitionHashes {
  private readonly byText = new Map<string, string>();

  of(definition: string): string {
    let hash = this.byText.get(definition);
    if (hash === undefined) {
      hash = createHash('sha256').update(definition).digest('hex');
      if (this.byText.size >= REMEMBERED) this.byText.clear();
      this.byText.set(definition, hash);
    }
    return hash;
  }
}
