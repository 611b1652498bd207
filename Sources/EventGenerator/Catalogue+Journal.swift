extension Catalogue {
    /// English journal entries; some hold quotes, a newline, a tab, a backslash or an emoji to exercise escaping.
    static let englishJournalTexts = [
        "Slept well last night.",
        "Feeling tired today, went to bed early.",
        "Walked 5,000 steps with the dog.",
        "Blood sugar before breakfast: 7.2\nAfter lunch: 9.1",
        "Headache since the morning; took paracetamol.",
        "Asked the nurse about \"fasting\" before my blood test.",
        "Feeling much better after the new inhaler 🙂",
        "Knee pain\t6/10 on the stairs.",
        "Saved the photo of the rash as C:\\Users\\me\\rash.jpg to show the GP.",
        "Blood pressure higher than usual today: 148/92.",
    ]

    /// Welsh journal entries.
    static let welshJournalTexts = [
        "Wedi cysgu'n dda neithiwr.",
        "Teimlo'n flinedig heddiw, es i i'r gwely'n gynnar.",
        "Es i am dro hir gyda'r ci.",
        "Siwgr gwaed cyn brecwast: 7.2\nAr ôl cinio: 9.1",
        "Cur pen ers y bore; cymerais barasetamol.",
        "Gofynnais i'r nyrs am \"ymprydio\" cyn y prawf gwaed.",
        "Teimlo'n llawer gwell ar ôl yr anadlydd newydd.",
        "Pwysedd gwaed yn uwch na'r arfer heddiw: 148/92.",
    ]
}
