import AscentCLI
#if canImport(Glibc)
import Glibc
#endif

exit(await AscentMain.run(Array(CommandLine.arguments.dropFirst())))
