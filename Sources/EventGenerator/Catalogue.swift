/// English text with its Welsh translation, as the event contract's bilingual objects carry it.
struct BilingualText {
    /// The English text.
    let en: String
    /// The Welsh text.
    let cy: String
}

/// An organisation as payloads name it: `{odsCode, name}`.
struct Organisation {
    /// The ODS code, e.g. `7A4` or `W97001`.
    let odsCode: String
    /// The organisation's English name.
    let name: String
}

/// A Welsh health board: where its patients' appointments mostly happen and whose laboratory reports results.
struct HealthBoard {
    /// The board itself, e.g. `7A4` Cardiff and Vale University Health Board.
    let organisation: Organisation
    /// The board's pathology service, the `performer` of results.
    let laboratory: Organisation
}

/// A GP practice and the health board it belongs to.
struct GPPractice {
    /// The practice, with a `W`-prefixed ODS code.
    let organisation: Organisation
    /// The index of its health board in ``Catalogue/healthBoards``.
    let healthBoard: Int
}

/// The reference data stories are made of: organisations, people's names, clinics, tests and journal texts.
///
/// Practice names and codes are invented; health board codes and names are the real ones.
enum Catalogue {
    /// The seven Welsh health boards.
    static let healthBoards: [HealthBoard] = [
        board("7A1", "Betsi Cadwaladr University Health Board", lab: "Betsi Cadwaladr Pathology"),
        board("7A2", "Hywel Dda University Health Board", lab: "Hywel Dda Pathology"),
        board("7A3", "Swansea Bay University Health Board", lab: "Swansea Bay Pathology"),
        board("7A4", "Cardiff and Vale University Health Board", lab: "Cardiff and Vale Laboratory Medicine"),
        board("7A5", "Cwm Taf Morgannwg University Health Board", lab: "Cwm Taf Morgannwg Pathology"),
        board("7A6", "Aneurin Bevan University Health Board", lab: "Aneurin Bevan Pathology"),
        board("7A7", "Powys Teaching Health Board", lab: "Powys Pathology"),
    ]

    /// GP practices across Wales, each tied to its health board.
    static let practices: [GPPractice] = [
        practice("W97001", "Canton Health Centre", board: 3),
        practice("W97002", "Llandaf Medical Practice", board: 3),
        practice("W91001", "Bangor Medical Group", board: 0),
        practice("W91002", "Wrexham Road Surgery", board: 0),
        practice("W92001", "Aberystwyth Health Centre", board: 1),
        practice("W92002", "Llanelli Family Practice", board: 1),
        practice("W98001", "Sketty Medical Centre", board: 2),
        practice("W95001", "Pontypridd Health Centre", board: 4),
        practice("W93001", "Caerleon Road Surgery", board: 5),
        practice("W94001", "Brecon Medical Group", board: 6),
    ]

    /// Given names, Welsh and English, some with diacritics.
    static let givenNames = [
        "Rhys", "Carys", "Dafydd", "Siân", "Gareth", "Megan", "Owain", "Ffion", "Iwan", "Cerys", "Huw", "Eleri",
        "Tomos", "Nia", "Emyr", "Lowri", "Gwenllïan", "John", "Sarah", "David", "Emma", "Mohammed", "Aisha",
    ]

    /// Family names, including ones with an apostrophe or a space.
    static let familyNames = [
        "Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan", "Griffiths",
        "Price", "Pritchard", "Rees", "Owen", "Jenkins", "Powell", "ap Iorwerth", "O'Connor", "Khan", "Smith",
    ]

    /// Role-based grantees of consent.
    static let granteeRoles = ["gp", "practice-nurse", "community-pharmacist", "district-nurse", "consultant"]

    private static func board(_ code: String, _ name: String, lab: String) -> HealthBoard {
        HealthBoard(
            organisation: Organisation(odsCode: code, name: name),
            laboratory: Organisation(odsCode: code, name: lab)
        )
    }

    private static func practice(_ code: String, _ name: String, board: Int) -> GPPractice {
        GPPractice(organisation: Organisation(odsCode: code, name: name), healthBoard: board)
    }
}
