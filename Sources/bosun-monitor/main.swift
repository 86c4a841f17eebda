// bosun's container monitor (like conmon) and minimal init (like tini), one small static executable that
// imports only Glibc: it runs inside any image when bound in as /.bosun/init.
//
//   bosun-monitor --log FILE --exit-file FILE --pid-file FILE --helper PATH [--max-size BYTES] [--max-file N]
//                 [--oom-file FILE]             fd 3: the runtime helper's socket; fd 4: the control pipe
//   /.bosun/init -- CMD [ARG…]                  (or bosun-monitor init -- CMD [ARG…])
import Glibc

let arguments = CommandLine.arguments
if let command = MiniInit.command(arguments) {
    MiniInit.run(command)
}
switch MonitorArguments.parse(Array(arguments.dropFirst())) {
case .success(let parsed): ContainerMonitor.start(parsed)
case .failure(let problem):
    Posix.report(problem.message)
    exit(2)
}
