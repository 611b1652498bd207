extension PatientStory {
    /// One appointment's lifecycle so far: its stream, correlation, current slot and last event.
    private struct AppointmentThread {
        let appointmentID: String
        let stream: String
        let correlationID: String
        let length: Int64
        var startsAt: Int64
        var lastAt: Int64
        var lastEventID: String
    }

    /// One to six appointments, each with its lifecycle on `appointment-<appointmentId>`.
    mutating func tellAppointments() {
        let count = random.int(in: 1...6)
        for number in 0..<(isShowcase ? 6 : count) {
            // A showcase story books its first four in the past, so that it has endings to show.
            var thread = bookAppointment(mayBeRecent: !isShowcase || number >= 4)
            let reschedules = chance(0.3, owing: .appointmentRescheduled) ? (random.chance(0.3) ? 2 : 1) : 0
            for _ in 0..<reschedules {
                guard reschedule(&thread) else { break }
            }
            conclude(thread)
        }
    }

    /// `AppointmentBooked`, through e-RS when it carries a booking reference, else the hospital system.
    private mutating func bookAppointment(mayBeRecent: Bool) -> AppointmentThread {
        let clinic = random.pick(Catalogue.clinics)
        let organisation =
            random.chance(0.8) ? homeBoard.organisation : random.pick(Catalogue.healthBoards).organisation
        let appointmentID = random.uuid()
        let correlationID = random.uuid()
        // A quarter are booked in the last two months, so a good share still lies ahead of "now".
        let recent = random.chance(0.25) && mayBeRecent
        let bookedAt =
            recent
            ? instant(clampedFrom: StoryTime.now - 60 * StoryTime.day, to: StoryTime.now - StoryTime.hour)
            : instant(clampedFrom: registeredAt + StoryTime.hour, to: StoryTime.now - 120 * StoryTime.day)
        let startsAt = clinicSlot(after: bookedAt + random.int64(in: 5...90) * StoryTime.day)
        let length = Int64(random.pick(clinic.slotMinutes)) * StoryTime.minute
        let reference: String? = random.chance(0.5) ? random.digits(12) : nil

        begin(.appointmentBooked)
        writer.field("appointmentId", appointmentID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("startsAt", startsAt, style: .london)
        if random.chance(0.85) { writer.timestampField("endsAt", startsAt + length, style: .london) }
        writer.key("clinic")
        writer.beginObject()
        writer.field("code", clinic.code)
        bilingualField("name", clinic.name)
        writer.endObject()
        writer.field("specialty", clinic.specialty)
        organisationField("organisation", organisation)
        writer.field("mode", mode())
        if let reference { writer.field("bookingReference", reference) }
        let eventID = finish(
            .appointmentBooked,
            stream: "appointment-" + appointmentID,
            at: bookedAt,
            style: .london,
            source: reference == nil ? "WPAS" : "e-RS",
            correlationID: correlationID
        )
        return AppointmentThread(
            appointmentID: appointmentID,
            stream: "appointment-" + appointmentID,
            correlationID: correlationID,
            length: length,
            startsAt: startsAt,
            lastAt: bookedAt,
            lastEventID: eventID
        )
    }

    /// `AppointmentRescheduled` to a later slot, decided before the current slot and before "now".
    ///
    /// - Returns: `false` when there was no time left to reschedule.
    private mutating func reschedule(_ thread: inout AppointmentThread) -> Bool {
        let latest = min(thread.startsAt - StoryTime.hour, StoryTime.now - StoryTime.minute)
        guard let at = instant(from: thread.lastAt + StoryTime.hour, to: latest) else { return false }
        thread.startsAt = clinicSlot(after: thread.startsAt + random.int64(in: 1...30) * StoryTime.day)
        begin(.appointmentRescheduled)
        writer.field("appointmentId", thread.appointmentID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("startsAt", thread.startsAt, style: .london)
        if random.chance(0.85) { writer.timestampField("endsAt", thread.startsAt + thread.length, style: .london) }
        if random.chance(0.7) { writer.field("reason", random.pick(Catalogue.rescheduleReasons)) }
        thread.lastEventID = finish(thread, .appointmentRescheduled, at: at)
        thread.lastAt = at
        return true
    }

    /// Past appointments end attended, missed or cancelled; future ones are sometimes cancelled, else upcoming.
    private mutating func conclude(_ thread: AppointmentThread) {
        let ended = thread.startsAt + thread.length < StoryTime.now - StoryTime.hour
        var outcome = random.unit()
        if ended {
            // A showcase story takes each ending it still owes, in this order.
            if owes(.appointmentAttended) {
                outcome = 0
            } else if owes(.appointmentMissed) {
                outcome = 0.75
            } else if owes(.appointmentCancelled) {
                outcome = 0.9
            }
        } else if owes(.appointmentCancelled) {
            outcome = 0.9
        }
        if ended && outcome < 0.72 {
            let attendedAt = thread.startsAt - random.int64(in: 0...15) * StoryTime.minute
            begin(.appointmentAttended)
            writer.field("appointmentId", thread.appointmentID)
            writer.nhsNumberField(nhsNumber)
            writer.timestampField("attendedAt", attendedAt, style: .london)
            finish(thread, .appointmentAttended, at: attendedAt)
        } else if ended && outcome < 0.82 {
            begin(.appointmentMissed)
            writer.field("appointmentId", thread.appointmentID)
            writer.nhsNumberField(nhsNumber)
            finish(thread, .appointmentMissed, at: thread.startsAt + thread.length + 30 * StoryTime.minute)
        } else if ended || outcome > 0.88 {
            let latest = min(thread.startsAt - StoryTime.hour, StoryTime.now - StoryTime.minute)
            guard let at = instant(from: thread.lastAt + StoryTime.hour, to: latest) else { return }
            let byPatient = random.chance(0.6)
            begin(.appointmentCancelled)
            writer.field("appointmentId", thread.appointmentID)
            writer.nhsNumberField(nhsNumber)
            writer.field("cancelledBy", byPatient ? "patient" : "provider")
            if random.chance(0.75) {
                let reasons = byPatient ? Catalogue.patientCancellationReasons : Catalogue.providerCancellationReasons
                writer.field("reason", random.pick(reasons))
            }
            finish(thread, .appointmentCancelled, at: at)
        }
    }

    /// Finishes an event of the hospital system on the thread's stream, caused by the thread's last event.
    @discardableResult
    private mutating func finish(_ thread: AppointmentThread, _ type: EventType, at time: Int64) -> String {
        finish(
            type,
            stream: thread.stream,
            at: time,
            style: .london,
            source: "WPAS",
            correlationID: thread.correlationID,
            causationID: thread.lastEventID
        )
    }

    /// `in-person` mostly, else `video` or `telephone`.
    private mutating func mode() -> String {
        let roll = random.unit()
        return roll < 0.7 ? "in-person" : (roll < 0.85 ? "video" : "telephone")
    }

    /// A clinic slot (08:00 to 16:45 Welsh time, on the quarter hour) on the day of `earliest` or later.
    private mutating func clinicSlot(after earliest: Int64) -> Int64 {
        let day = StoryTime.floorDivide(earliest, StoryTime.day) * StoryTime.day
        let localMinutes = Int64(8 * 60 + 15 * random.int(below: 36))
        var slot = day + localMinutes * StoryTime.minute - StoryTime.londonOffset(at: day + 12 * StoryTime.hour)
        while slot <= earliest { slot += StoryTime.day }
        return slot
    }
}
