/// The non-key columns a change writes: names and values, kept sorted by name.
///
/// A read-model row has a handful of columns and the engine handles every row of every event, so a
/// short sorted array serves better than a hash table: building one, laying one row over another and
/// reading a row in column order hash nothing, and two rows with the same columns list them in the
/// same order, which is how the table writer groups rows into one statement without sorting them.
/// It reads like a dictionary (`["status": "booked"]`, `columns["status"]`) so projections stay plain.
public struct Columns: Hashable, Sendable {
    /// One column's name and value.
    public struct Column: Hashable, Sendable {
        /// The column name, as in the table's `schema.sql`.
        public var name: String
        /// Its value.
        public var value: SQLValue
    }

    /// The columns, sorted by name, each name once.
    public private(set) var columns: [Column]

    /// No columns.
    public init() { columns = [] }

    /// `columns`, which must already be sorted by name with no name twice.
    private init(sorted columns: [Column]) { self.columns = columns }

    /// How many columns.
    public var count: Int { columns.count }

    /// Whether there are no columns.
    public var isEmpty: Bool { columns.isEmpty }

    /// The names, sorted.
    public var keys: [String] { columns.map(\.name) }

    /// The values, in the order of `keys`.
    public var values: [SQLValue] { columns.map(\.value) }

    /// The value of column `name`, nil when absent; setting nil removes the column, `.null` sets SQL NULL.
    ///
    /// `SQLValue` is itself `ExpressibleByNilLiteral`, so this spells `Optional.none` where a bare `nil`
    /// could be read as `.null`.
    public subscript(name: String) -> SQLValue? {
        get {
            let (index, found) = position(of: name)
            guard found else { return Optional.none }
            return Optional.some(columns[index].value)
        }
        set {
            let (index, found) = position(of: name)
            switch newValue {
            case .some(let value) where found: columns[index].value = value
            case .some(let value): columns.insert(Column(name: name, value: value), at: index)
            case .none where found: columns.remove(at: index)
            case .none: break
            }
        }
    }

    /// Where `name` is, or where it would be inserted.
    private func position(of name: String) -> (index: Int, found: Bool) {
        // Rows have a few dozen columns at most: a linear scan of small strings beats bisection here.
        for (index, column) in columns.enumerated() where column.name >= name {
            return (index, column.name == name)
        }
        return (columns.count, false)
    }

    /// These columns and `other`'s; a name in both takes `combine(mine, theirs)`.
    public func merging(_ other: Columns, uniquingKeysWith combine: (SQLValue, SQLValue) -> SQLValue) -> Columns {
        merged(with: other) { mine, theirs in mine.map { combine($0, theirs) } ?? theirs }
    }

    /// Adds `other`'s columns; a name in both takes `combine(mine, theirs)`.
    public mutating func merge(_ other: Columns, uniquingKeysWith combine: (SQLValue, SQLValue) -> SQLValue) {
        self = merging(other, uniquingKeysWith: combine)
    }

    /// These columns and `other`'s in one pass over both; a column of `other` takes `combine(mine, theirs)`,
    /// with `mine` nil when only `other` has it.
    func merged(with other: Columns, _ combine: (SQLValue?, SQLValue) -> SQLValue) -> Columns {
        if other.isEmpty { return self }
        var result: [Column] = []
        result.reserveCapacity(columns.count + other.columns.count)
        var mine = columns.makeIterator()
        var theirs = other.columns.makeIterator()
        var a = mine.next()
        var b = theirs.next()
        while let left = a, let right = b {
            if left.name < right.name {
                result.append(left)
                a = mine.next()
            } else if right.name < left.name {
                result.append(Column(name: right.name, value: combine(Optional.none, right.value)))
                b = theirs.next()
            } else {
                result.append(Column(name: left.name, value: combine(left.value, right.value)))
                a = mine.next()
                b = theirs.next()
            }
        }
        while let left = a {
            result.append(left)
            a = mine.next()
        }
        while let right = b {
            result.append(Column(name: right.name, value: combine(Optional.none, right.value)))
            b = theirs.next()
        }
        return Columns(sorted: result)
    }

    /// Each value replaced by `transform(value)`, names kept.
    func mapValues(_ transform: (SQLValue) -> SQLValue) -> Columns {
        Columns(sorted: columns.map { Column(name: $0.name, value: transform($0.value)) })
    }
}

extension Columns: ExpressibleByDictionaryLiteral {
    /// The columns of a literal; as with a dictionary literal, a name given twice is a programming error.
    public init(dictionaryLiteral elements: (String, SQLValue)...) {
        self.init(elements.map { Column(name: $0.0, value: $0.1) })
    }

    /// The given columns in any order; each name once.
    public init(_ unsorted: [Column]) {
        var sorted = unsorted
        sorted.sort { $0.name < $1.name }
        for index in sorted.indices.dropFirst() {
            precondition(sorted[index - 1].name != sorted[index].name, "a column is named twice")
        }
        self.init(sorted: sorted)
    }
}

extension Columns: Sequence {
    /// Name and value pairs in name order, as a dictionary's elements read.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: SQLValue)> {
        columns.lazy.map { (key: $0.name, value: $0.value) }.makeIterator()
    }
}

extension Columns: CustomStringConvertible {
    public var description: String {
        "[" + columns.map { "\"\($0.name)\": \($0.value)" }.joined(separator: ", ") + "]"
    }
}
