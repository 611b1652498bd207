/// A strict reader of Prometheus' text exposition format (version 0.0.4), for asserting on `/metrics` bodies.
///
/// Here rather than in its own target: every test target that needs it already depends on this one.
public enum PrometheusText {
    /// One sample line: a metric name, its labels and its value.
    public struct Sample: Equatable, Sendable {
        /// The metric name, such as `http_requests_total` or `request_duration_seconds_bucket`.
        public var name: String
        /// The sample's labels by name; empty when the line has no braces.
        public var labels: [String: String]
        /// The sample value; `+Inf`, `-Inf` and `NaN` map to the matching `Double`s.
        public var value: Double

        /// A sample, as a test expects it.
        public init(name: String, labels: [String: String], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    /// Why a body is not valid exposition text, naming the 1-based line.
    public struct ParseError: Error, CustomStringConvertible {
        /// The 1-based number of the offending line.
        public var line: Int
        /// What the line breaks.
        public var reason: String

        /// The line number and reason, as `line 3: expected a value`.
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses every line, rejecting the whole text at the first line that is not a comment or a sample.
    public static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var reader = LineReader(line: Array(line.utf8))
            do {
                if let sample = try reader.readLine() {
                    samples.append(sample)
                }
            } catch let reason as Reason {
                throw ParseError(line: index + 1, reason: reason.text)
            }
        }
        return samples
    }

    private struct Reason: Error {
        var text: String
    }

    private struct LineReader {
        let line: [UInt8]
        var position = 0

        mutating func readLine() throws -> Sample? {
            if line.isEmpty {
                return nil
            }
            if line[0] == UInt8(ascii: "#") {
                try readComment()
                return nil
            }
            let name = try readName(allowingColon: true)
            let labels = try peek() == UInt8(ascii: "{") ? readLabels() : [:]
            try expect(" ")
            let valueAndTimestamp = String(decoding: line[position...], as: UTF8.self).split(separator: " ")
            guard (1...2).contains(valueAndTimestamp.count), let value = Self.value(valueAndTimestamp[0]) else {
                throw Reason(text: "expected a value, optionally followed by a timestamp")
            }
            if valueAndTimestamp.count == 2, Int64(valueAndTimestamp[1]) == nil {
                throw Reason(text: "timestamp is not an integer")
            }
            return Sample(name: name, labels: labels, value: value)
        }

        private mutating func readComment() throws {
            let words = String(decoding: line, as: UTF8.self).split(separator: " ", maxSplits: 3)
            guard words.count >= 2, words[0] == "#", ["HELP", "TYPE"].contains(words[1]) else {
                return  // Any other comment is free text.
            }
            guard words.count >= 3, Self.isName(words[2]) else {
                throw Reason(text: "\(words[1]) without a valid metric name")
            }
            let types = ["counter", "gauge", "histogram", "summary", "untyped"]
            if words[1] == "TYPE", words.count != 4 || !types.contains(String(words[3])) {
                throw Reason(text: "TYPE must be one of \(types)")
            }
        }

        private mutating func readLabels() throws -> [String: String] {
            var labels: [String: String] = [:]
            try expect("{")
            while try peek() != UInt8(ascii: "}") {
                let name = try readName(allowingColon: false)
                try expect("=")
                try expect("\"")
                guard labels.updateValue(try readQuotedValue(), forKey: name) == nil else {
                    throw Reason(text: "label \(name) repeated")
                }
                if try peek() == UInt8(ascii: ",") {
                    position += 1
                } else if try peek() != UInt8(ascii: "}") {
                    throw Reason(text: "expected , or } after a label")
                }
            }
            position += 1
            return labels
        }

        private mutating func readQuotedValue() throws -> String {
            var bytes: [UInt8] = []
            while true {
                let byte = try next()
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: bytes, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    switch try next() {
                    case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                    default: throw Reason(text: "unknown escape in a label value")
                    }
                default:
                    bytes.append(byte)
                }
            }
        }

        private mutating func readName(allowingColon: Bool) throws -> String {
            let start = position
            while position < line.count, Self.isNameByte(line[position], first: position == start, allowingColon) {
                position += 1
            }
            guard position > start else {
                throw Reason(text: "expected a name at column \(start + 1)")
            }
            return String(decoding: line[start..<position], as: UTF8.self)
        }

        private mutating func expect(_ character: Unicode.Scalar) throws {
            guard try next() == UInt8(ascii: character) else {
                throw Reason(text: "expected \(character) at column \(position)")
            }
        }

        private func peek() throws -> UInt8 {
            guard position < line.count else {
                throw Reason(text: "line ends early")
            }
            return line[position]
        }

        private mutating func next() throws -> UInt8 {
            let byte = try peek()
            position += 1
            return byte
        }

        private static func isName(_ word: Substring) -> Bool {
            let bytes = Array(word.utf8)
            return !bytes.isEmpty && bytes.indices.allSatisfy { isNameByte(bytes[$0], first: $0 == 0, true) }
        }

        private static func isNameByte(_ byte: UInt8, first: Bool, _ allowingColon: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                !first
            case UInt8(ascii: ":"):
                allowingColon
            default:
                false
            }
        }

        // Double(_:) alone would also take "inf", "nan" and hex floats, which Prometheus does not write.
        private static func value(_ token: Substring) -> Double? {
            switch token {
            case "+Inf": return .infinity
            case "-Inf": return -.infinity
            case "NaN": return .nan
            default:
                let allowed = Set("0123456789.eE+-")
                return token.allSatisfy(allowed.contains) ? Double(token) : nil
            }
        }
    }
}
