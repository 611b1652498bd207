import Synchronization

/// What one projection decoded from an event, kept for the next projection that decodes it the same way.
///
/// Several read models handle the same event type (a result reaches the timeline and the results), and
/// a runner hands one event to all of them: the JSON is parsed once. The cache lives as long as the
/// event, so it holds one page at a time. It remembers one decoding, the case that occurs.
public final class DecodeCache: Sendable {
    private let slot = Mutex<(type: ObjectIdentifier, value: any Sendable)?>(nil)

    /// An empty cache.
    public init() {}

    /// The value cached for `type`, or `make()`'s, cached for the next caller.
    ///
    /// Two projections decoding at the same moment may both run `make`; either value is the same.
    public func value<Value: Sendable>(for type: Any.Type, _ make: () -> Value) -> Value {
        let key = ObjectIdentifier(type)
        if let cached = slot.withLock({ $0 }), cached.type == key, let value = cached.value as? Value {
            return value
        }
        let value = make()
        slot.withLock { $0 = (key, value) }
        return value
    }

    /// The value cached for `type`, if one is.
    public func cached<Value: Sendable>(for type: Any.Type) -> Value? {
        let key = ObjectIdentifier(type)
        guard let cached = slot.withLock({ $0 }), cached.type == key else { return nil }
        return cached.value as? Value
    }

    /// Whether nothing is cached.
    public var isEmpty: Bool { slot.withLock { $0 == nil } }
}
