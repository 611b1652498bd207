import Dispatch

/// A serial executor with a dispatch queue of its own: where one `Connection` runs its blocking libpq calls.
///
/// libpq blocks the calling thread for the whole round trip. Run on Swift's cooperative pool (one
/// thread per core, two here) a few slow queries would stall every other task in the process, so
/// each connection gets a queue that libdispatch can back with a thread of its own.
final class ConnectionExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
