import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file of benchmark results, one JSON line per run, that `projector bench --results` appends to.
///
/// Only a regular file is ever written, or a new one created; a device, a pipe, a socket or a folder at
/// the path is refused and left as it is. The file is opened in place and appended to with one write,
/// never replaced by a temporary file renamed over the path: a path such as `/dev/null` stays a device.
public enum ResultsFile {
    /// Throws unless `path` names a regular file or nothing yet in a folder that exists: checked before a
    /// run, so a long benchmark does not fail only at its end. `append` checks again when it writes.
    public static func check(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else { throw notRegular(path) }
            return
        }
        guard errno == ENOENT else { throw BenchError("cannot use \(path): \(String(cString: strerror(errno)))") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw BenchError("cannot create \(path): the folder \(folder) does not exist")
        }
    }

    /// Appends `line` and a newline to the regular file at `path`, creating it when missing.
    public static func append(_ line: String, to path: String) throws {
        // O_NONBLOCK: opening a pipe with no reader fails at once instead of waiting for one.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // Asked of what was opened, not of the path, so nothing can be swapped in between.
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw notRegular(path) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let reason =
                written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes written"
            throw BenchError("cannot write \(path): \(reason)")
        }
    }

    private static func notRegular(_ path: String) -> BenchError {
        BenchError("\(path) is not a regular file; give a new path or a regular file for the results")
    }
}
