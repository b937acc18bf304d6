/**
 * Makes V8 finish a regular expression match that backtracks excessively with its linear-time
 * engine instead of backtracking on (exponentially, for patterns like `^(a+)+$`). Imported once,
 * for this effect, by every entry point: the library (src/index.ts), the CLI and the server.
 *
 * V8 switches after 50,000 backtracks by default, counted per match. A JSONPath filter tests its
 * pattern once per array element, so 8,000 short hostile strings (a 232 KB input) cost 8,000 ×
 * 50,000 backtracks: 1.9 s. After 10,000 backtracks the same input takes 0.44 s (0.08 s after
 * 1,000), while a pattern that backtracks less than that, which is nearly every ordinary one,
 * never leaves the faster backtracking engine.
 *
 * Regular expressions here come from users: JSONPath `=~` filters and JSONata's `$match`,
 * `$replace`, `$contains` and `$split`. src/asl/safe-regexp.ts rewrites them so that V8's linear
 * engine can take more of them and refuses the exponential shapes it cannot.
 *
 * Why a library may set V8 flags for its whole process: they change no result, only what a
 * pathological match costs. A match that does not backtrack excessively runs exactly as before,
 * in the host application's expressions too; one that does returns the same answer in linear
 * time. The flags are process-wide, so they also cover worker threads started afterwards.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--regexp-backtracks-before-fallback=10000');
