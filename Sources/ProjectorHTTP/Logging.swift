/// The logging metadata keys this module writes, declared once so they stay greppable.
enum LoggingKey {
    /// The Swift type of an error that was swallowed; only the type, since an error's text may carry patient data.
    static let errorType = "error.type"
}
