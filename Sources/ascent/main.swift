import AscentCLI
#if canImport(Glibc)
import Glibc
#endif

// Line-buffered standard output, so piped output (logs, CI) shows rounds as they happen. The C
// global `stdout` is read through its symbol: Swift 6 refuses to touch the mutable global directly.
if let symbol = dlsym(nil, "stdout") {
    setvbuf(symbol.load(as: UnsafeMutablePointer<FILE>.self), nil, _IOLBF, 0)
}
exit(await AscentMain.run(Array(CommandLine.arguments.dropFirst())))
