/** What evaluation may draw from outside the expression. */
export interface IntrinsicEnv {
  /** A number in [0, 1) for States.MathRandom without a seed; the engine passes a seeded source so replay is exact. */
  random?: () => number;
  /** A version 4 UUID for States.UUID; the engine passes a recorded or seeded source. */
  uuid?: () => string;
  /** The state input as it should appear in "could not be found in the input '…'" causes; defaults to the JSON of `$`. */
  inputText?: () => string;
}
