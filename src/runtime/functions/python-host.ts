/**
 * The Python host: the program a local Python function's process runs, as `python3 -u -c
 * <PYTHON_HOST> <max response bytes>` (it is a string here because tsc copies no .py file to
 * dist/). It plays Lambda's Python runtime interface client (awslambdaric's bootstrap.py): it
 * imports the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` once, then serves the requests
 * of protocol.ts (file descriptor 3) one at a time, so module-level state lives on.
 *
 * As Lambda's Python runtime:
 * - `handler(event, context)`; context has aws_request_id, function_name, function_version,
 *   invoked_function_arn, memory_limit_in_mb (a string, as Lambda's), log_group_name,
 *   log_stream_name, identity, client_context, get_remaining_time_in_millis() and log();
 * - an exception becomes { errorType: its class name, errorMessage: str(e), stackTrace:
 *   traceback.format_list of its frames without the host's own } (sent as `trace`);
 * - init errors: `Runtime.ImportModuleError` ("Unable to import module 'app': …"),
 *   `Runtime.UserCodeSyntaxError`, `Runtime.HandlerNotFound` ("Handler 'x' missing on module
 *   'app'"), `Runtime.MalformedHandlerName`; a result JSON cannot express is
 *   `Runtime.MarshalError` ("Unable to marshal response: …"); Decimal values are numbers;
 * - SystemExit is not caught: the process ends, which the server reports as Runtime.ExitError.
 *
 * Memory: RLIMIT_DATA is set to the function's MemorySize before its module is imported. It
 * counts the process's heap and private writable mappings (what a function's data occupies)
 * but not the interpreter's code or shared libraries, which RLIMIT_AS would, making a small
 * MemorySize fail on imports alone. Running out raises MemoryError: the host reports
 * Runtime.OutOfMemory and the process ends, as Lambda's sandbox is killed at its memory size.
 *
 * The function's print() goes to stdout (unbuffered, -u) and so to the logs; the protocol is on
 * its own descriptor and cannot be disturbed by it. Between invocations the host ends when the
 * server closes the socket (or dies).
 */
export const PYTHON_HOST = String.raw`
import decimal, importlib, json, os, sys, time, traceback

def _main():
    max_response = int(sys.argv[1]) if len(sys.argv) > 1 else 6291556
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    handler_name = os.environ.get("_HANDLER", "")
    info = {
        "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "function_version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        "memory_limit_in_mb": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        "log_group_name": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        "log_stream_name": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
    }
    requests = os.fdopen(3, "rb", buffering=65536)

    def send(frame):
        data = memoryview((frame + "\n").encode("utf-8"))
        while data:
            written = os.write(3, data)
            data = data[written:]

    def error_frame(request_id, error_type, message, trace, retire=False):
        doc = {"id": request_id, "ok": False, "errorType": error_type, "errorMessage": message, "trace": trace or []}
        if retire:
            doc["retire"] = True
        text = json.dumps(doc, default=str)
        if len(text) > max_response:
            doc["errorType"] = "Function.ResponseSizeTooLarge"
            doc["errorMessage"] = "Response payload size exceeded maximum allowed payload size (%d bytes)." % max_response
            doc["trace"] = []
            text = json.dumps(doc)
        return text

    def user_frames(tb):
        frames = traceback.extract_tb(tb)
        # As Lambda drops bootstrap.py's frames: this host's frames come from "-c" ("<string>").
        for i, frame in enumerate(frames):
            if frame.filename != "<string>":
                return frames[i:]
        return frames

    def to_number(value):
        if isinstance(value, decimal.Decimal):
            if value == value.to_integral_value():
                return int(value)
            return float(value)
        raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)

    class Identity(object):
        __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]
        def __init__(self):
            self.cognito_identity_id = None
            self.cognito_identity_pool_id = None

    class LambdaContext(object):
        def __init__(self, request):
            self.aws_request_id = request["requestId"]
            self.invoked_function_arn = request["invokedFunctionArn"]
            self.function_name = info["function_name"]
            self.function_version = info["function_version"]
            self.memory_limit_in_mb = info["memory_limit_in_mb"]
            self.log_group_name = info["log_group_name"]
            self.log_stream_name = info["log_stream_name"]
            self.identity = Identity()
            self.client_context = None
            self.tenant_id = None
            self._deadline_ms = request["deadlineMs"]

        def get_remaining_time_in_millis(self):
            remaining = self._deadline_ms - int(time.time() * 1000)
            return remaining if remaining > 0 else 0

        def log(self, msg):
            sys.stdout.write(str(msg))

    def load():
        try:
            modname, fname = handler_name.rsplit(".", 1)
        except ValueError as e:
            return None, ("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler_name, e), [])
        try:
            if modname.split(".")[0] in sys.builtin_module_names:
                return None, ("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname, [])
            module = importlib.import_module(modname.replace("/", "."))
        except ImportError as e:
            return None, ("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e), [])
        except SyntaxError as e:
            trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
            return None, ("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
        except MemoryError:
            return None, "oom"
        except Exception as e:
            return None, (type(e).__name__, str(e), traceback.format_list(user_frames(sys.exc_info()[2])))
        try:
            return getattr(module, fname), None
        except AttributeError:
            return None, ("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname), [])

    sys.path.insert(0, task_root)
    try:
        import resource
        limit = int(info["memory_limit_in_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except Exception:
        pass

    handler, init_error = load()
    for line in requests:
        request = json.loads(line)
        request_id = request["id"]
        if init_error == "oom":
            send(json.dumps({"id": request_id, "oom": True}))
            os._exit(1)
        if init_error is not None:
            send(error_frame(request_id, init_error[0], init_error[1], init_error[2], True))
            os._exit(1)
        try:
            result = handler(request["event"], LambdaContext(request))
        except MemoryError:
            result = None
            send(json.dumps({"id": request_id, "oom": True}))
            os._exit(1)
        except Exception as e:
            etype, value, tb = sys.exc_info()
            send(error_frame(request_id, etype.__name__, str(value), traceback.format_list(user_frames(tb))))
            continue
        try:
            payload = json.dumps(result, default=to_number, allow_nan=False)
        except Exception as e:
            send(error_frame(request_id, "Runtime.MarshalError", "Unable to marshal response: %s" % e, []))
            continue
        if len(payload) > max_response and len(payload.encode("utf-8")) > max_response:
            send(error_frame(request_id, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (%d bytes)." % max_response, []))
            continue
        send('{"id":%d,"ok":true,"payload":%s}' % (request_id, payload))

_main()
`;
