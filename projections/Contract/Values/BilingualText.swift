/// Producer text in English and Welsh (`{"en": "...", "cy": "..."}`), with Welsh falling back to English.
///
/// The event contract lets `cy` be missing; the read model then shows the English text and records that it
/// fell back, so that the gap is visible (`cyIsFallback`). An empty or blank `cy` counts as missing.
public struct BilingualText: Hashable, Sendable {
    /// The English text; never empty.
    public var en: String
    /// The Welsh text, or the English text when the producer gave no Welsh.
    public var cy: String
    /// Whether `cy` holds the English text because the producer gave no Welsh.
    public var cyIsFallback: Bool

    /// Creates the text; a nil, empty or blank `cy` falls back to `en`.
    public init(en: String, cy: String?) {
        self.en = en
        if let cy, !cy.isBlank {
            self.cy = cy
            cyIsFallback = false
        } else {
            self.cy = en
            cyIsFallback = true
        }
    }

    /// The text in `language`.
    public func text(in language: Language) -> String {
        switch language {
        case .en: en
        case .cy: cy
        }
    }
}

extension BilingualText: Decodable {
    private enum CodingKeys: String, CodingKey {
        case en
        case cy
    }

    /// Decodes `{"en", "cy"?}`: `en` is required and not empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(en: try container.text(.en), cy: try container.textIfPresent(.cy))
    }
}
