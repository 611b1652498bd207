import ProjectionContract
import ProjectionCore
import Testing

/// `{en, cy?}` text: Welsh falls back to English, and says so.
@Suite("Bilingual text")
struct BilingualTextTests {
    @Test func keepsWelshWhenTheProducerSendsIt() {
        let text = BilingualText(en: "Diabetes clinic", cy: "Clinig diabetes")
        #expect(text.cy == "Clinig diabetes")
        #expect(!text.cyIsFallback)
        #expect(text.text(in: .cy) == "Clinig diabetes")
        #expect(text.text(in: .en) == "Diabetes clinic")
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func fallsBackToEnglishAndRecordsItWhenWelshIsMissingOrBlank(_ cy: String?) {
        let text = BilingualText(en: "Diabetes clinic", cy: cy)
        #expect(text.cy == "Diabetes clinic")
        #expect(text.cyIsFallback)
    }

    @Test func decodedClinicNameWithoutWelshFallsBack() throws {
        let event = recordedEvent(
            "AppointmentBooked",
            Payloads.appointmentBooked().setting("clinic.name", to: ["en": "Eye clinic"])
        )
        let name = try decode(AppointmentBooked.self, from: event).payload.clinic.name
        #expect(name == BilingualText(en: "Eye clinic", cy: nil))
        #expect(name.cyIsFallback)
    }

    @Test func englishIsRequired() {
        let event = recordedEvent(
            "AppointmentBooked",
            Payloads.appointmentBooked().setting("clinic.name", to: ["cy": "Clinig llygaid"])
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentBooked.self, from: event)
        }
        #expect(failure?.reason == "data.clinic.name.en: required field is missing")
    }

    @Test func bilingualTextMustBeAnObject() {
        let event = recordedEvent(
            "TestOrdered",
            Payloads.testOrdered().setting("test.name", to: "HbA1c")
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestOrdered.self, from: event)
        }
        #expect(failure?.reason == "data.test.name: must be an object")
    }
}
