import ProjectionCore

/// The machine's transitions: what each input leads to, in one place for the inputs that share them.
extension RunnerStateMachine {
    mutating func claim(_ name: String) -> [Action] {
        members[name]?.epoch += 1
        members[name]?.state = .claiming
        return [.claim(name, epoch: members[name]?.epoch ?? 0)]
    }

    mutating func fail(_ name: String, now: ContinuousClock.Instant) -> [Action] {
        let failures = (members[name]?.failures ?? 0) + 1
        if exitWhenCaughtUp { return [.fail("projection \(name) failed")] }
        members[name]?.failures = failures
        var delay = retryDelay
        for _ in 1..<min(failures, 16) where delay < maxRetryDelay { delay = delay * 2 }
        members[name]?.state = .failed(retryAt: now + min(delay, maxRetryDelay), failures: failures)
        return []
    }

    /// Forms the group once no claim is pending (from the furthest claim, so nobody waits ahead of it),
    /// then places each claimed member.
    mutating func placeClaimed() -> [Action] {
        if order.contains(where: { members[$0]?.state == .claiming }) { return [] }
        var actions: [Action] = []
        if groupPosition == nil || level.isEmpty && !isWorking {
            let positions = order.compactMap { name -> LogPosition? in
                if case .claimed(let position) = members[name]?.state { return position }
                return nil
            }
            if let furthest = positions.max() {
                groupPosition = furthest
                caughtUp = false
                actions.append(.startReading(from: furthest))
            }
        }
        for name in order {
            if case .claimed(let position) = members[name]?.state { actions += place(name, at: position) }
        }
        return actions
    }

    /// Whether any member is catching up or joining: the group's position is their target and must not jump.
    private var isWorking: Bool {
        order.contains { members[$0]?.state == .catchingUp || members[$0]?.state == .joining }
    }

    /// Puts a member that stands at `position` in the group, on its way to it, or ahead of it.
    mutating func place(_ name: String, at position: LogPosition) -> [Action] {
        guard let group = groupPosition else {
            members[name]?.state = .claimed(position)
            return placeClaimed()
        }
        if position == group {
            members[name]?.state = .level
            return []
        }
        if position > group {
            members[name]?.state = .ahead(position)
            return []
        }
        return startJoin(name, from: position)
    }

    /// Starts `name` from `position` towards the group: first inside the writer's transaction, which is
    /// enough when it is close; when that fell short, on its own sessions, so the group is not held up.
    mutating func startJoin(_ name: String, from position: LogPosition) -> [Action] {
        guard let group = groupPosition, let epoch = members[name]?.epoch else { return [] }
        if members[name]?.state == .joining {
            members[name]?.state = .catchingUp
            return [.catchUp(name, epoch: epoch, from: position, until: group)]
        }
        members[name]?.state = .joining
        return [.join(name, epoch: epoch, from: position, until: group)]
    }

    /// `.finish` when the run is to stop once caught up and it has.
    func finishIfDone() -> [Action] {
        guard exitWhenCaughtUp, caughtUp || level.isEmpty else { return [] }
        let done = order.allSatisfy { name in
            switch members[name]?.state {
            case .level, .paused, .retired: true
            default: false
            }
        }
        return done ? [.finish] : []
    }
}
