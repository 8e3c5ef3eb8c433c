/// Where each segment is in an account string, as `account_layout` says: the n-th part split by
/// the column's separator (`"object"`), or some characters (`"object 7-9"`, New York's A2110.120).
/// A part no segment takes is written `""`; a segment the layout leaves out is blank.
public struct AccountLayout: Sendable, Equatable {
    public enum Place: Sendable, Equatable {
        /// The part, counted from 0, when the account is split by its separator.
        case part(Int)
        case characters(ClosedRange<Int>)
    }

    /// Each named segment's place, in the order written.
    public let places: [(segment: String, place: Place)]

    public static func == (lhs: AccountLayout, rhs: AccountLayout) -> Bool {
        lhs.places.map(\.segment) == rhs.places.map(\.segment) && lhs.places.map(\.place) == rhs.places.map(\.place)
    }

    /// The segment's place, or nil when the layout leaves it out.
    public func place(of segment: String) -> Place? {
        places.first { $0.segment == segment.lowercased() }?.place
    }

    /// Reads a layout's items; the error is a sentence about the first that cannot be read.
    public static func parse(_ items: [String]) -> Result<AccountLayout, LayoutError> {
        var places: [(String, Place)] = []
        for (index, item) in items.enumerated() {
            let words = item.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let name = words.first?.lowercased() else { continue }
            guard words.count <= 2 else { return .failure(LayoutError(item: item)) }
            guard words.count == 2 else {
                places.append((name, .part(index)))
                continue
            }
            let bounds = words[1].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1 ... 2).contains(bounds.count), let first = bounds.first ?? nil, let last = bounds.last ?? nil, first >= 1, last >= first else {
                return .failure(LayoutError(item: item))
            }
            places.append((name, .characters(first ... last)))
        }
        return .success(AccountLayout(places: places))
    }

    /// An item that is neither a segment name nor a segment with its characters.
    public struct LayoutError: Error, Sendable, Equatable {
        public let item: String

        /// The sentence a trainer reads.
        public var sentence: String {
            "account_layout's \"\(item)\" is neither a segment name nor a segment with its characters, such as \"object 7-9\"."
        }
    }
}
