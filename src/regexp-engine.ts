/**
 * Makes V8 finish a regular expression match that backtracks excessively with its linear-time
 * engine instead of backtracking on (exponentially, for patterns like `^(a+)+$`). Imported once,
 * for this effect, by every entry point: the library (src/index.ts), the CLI and the server.
 *
 * Regular expressions here come from users: JSONPath `=~` filters and JSONata's `$match`,
 * `$replace`, `$contains` and `$split`. src/asl/safe-regexp.ts rewrites them so that V8's linear
 * engine can take more of them and refuses the exponential shapes it cannot.
 *
 * Why a library may set a V8 flag for its whole process: the flag changes no result, only what a
 * pathological match costs. A match that does not backtrack excessively (V8 counts 50,000
 * backtracks before falling back) runs exactly as before, in the host application's expressions
 * too; one that does returns the same answer in linear time. The flag is process-wide, so it also
 * covers worker threads started afterwards.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
