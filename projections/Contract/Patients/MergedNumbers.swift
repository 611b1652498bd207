import ProjectionCore

/// The table every read model keeps of merged NHS numbers, and the function its queries find a patient by.
///
/// Rows of a read model keep the number their event named (for audit, and because projections address rows by
/// their own keys, never by patient). What merges change is how a patient is found: `merged_numbers` maps each
/// superseded number to the number its records are shown under now (the end of its chain), and
/// `patient_numbers(n)` returns every number of `n`'s patient, whichever of them `n` is. Each read model keeps
/// its own copy, written by its own `PatientRecordsMerged` handler in the same transaction as its checkpoint,
/// so a read model and the merges it shows never disagree, live, rebuilt or as of any position.
public enum MergedNumbers {
    /// `merged_numbers`, keyed by the superseded number.
    public static let table = TableSpec(name: "merged_numbers", primaryKey: ["nhs_number"])

    /// The DDL of `merged_numbers` and `patient_numbers`, put before each read model's `schema.sql` (whose functions
    /// may call `patient_numbers`).
    ///
    /// `patient_numbers` is `BEGIN ATOMIC`, so it reads the table of its own generation's schema whatever the
    /// caller's search_path, like `consent.may_view`.
    public static let schemaSQL = """

        CREATE TABLE merged_numbers (
            nhs_number          text        PRIMARY KEY,
            retained_nhs_number text        NOT NULL,
            merged_at           timestamptz NOT NULL,
            last_position       bigint      NOT NULL
        );

        CREATE INDEX merged_numbers_retained ON merged_numbers (retained_nhs_number);

        CREATE FUNCTION patient_numbers(p_nhs_number text) RETURNS text[]
            LANGUAGE sql STABLE PARALLEL SAFE
        BEGIN ATOMIC
            WITH patient AS (
                SELECT coalesce(
                    (SELECT m.retained_nhs_number FROM merged_numbers m WHERE m.nhs_number = p_nhs_number),
                    p_nhs_number
                ) AS retained
            )
            SELECT array_agg(n ORDER BY n) FROM (
                SELECT retained AS n FROM patient
                UNION
                SELECT m.nhs_number FROM merged_numbers m, patient WHERE m.retained_nhs_number = patient.retained
            ) numbers;
        END;

        COMMENT ON TABLE merged_numbers IS
            'One row per NHS number whose records were merged into another patient''s (PatientRecordsMerged): '
            'the number they are shown under now. Rows elsewhere keep the number their event named.';
        COMMENT ON COLUMN merged_numbers.nhs_number IS
            'The superseded NHS number. Identifies a person: pseudonymise before analysis.';
        COMMENT ON COLUMN merged_numbers.retained_nhs_number IS
            'The number its records are shown under: the end of its chain of merges (A into B, then B into C: C). '
            'Identifies a person: pseudonymise before analysis.';
        COMMENT ON COLUMN merged_numbers.merged_at IS
            'When the demographics service merged this number''s record (the event''s mergedAt).';
        COMMENT ON COLUMN merged_numbers.last_position IS
            'The global_position of the last event that changed the row (lineage).';
        COMMENT ON FUNCTION patient_numbers(text) IS
            'Every NHS number of the patient the given number belongs to, whichever of them it is: the number '
            'shown, and each number merged into it. Find a patient''s rows with nhs_number = ANY (patient_numbers(n)).';

        """

    /// The rows a valid merge changes: the superseded number now shows under the retained patient, and so do
    /// the numbers merged into it before.
    ///
    /// - Throws: the merge's refusal (a number superseded twice, a cycle), the same for every read model.
    public static func changes(for merging: Decoded<PatientRecordsMerged>) throws(ProjectionFailure) -> [RowChange] {
        let merge = merging.payload
        let merges = merging.merges
        if let refusal = merges.refusal(of: merge, at: merging.position) { throw refusal }
        let superseded = merge.supersededNhsNumber.digits
        let retained = merges.retained(merge.retainedNhsNumber.digits, before: merging.position)
        let position = SQLValue.int(merging.position.globalPosition)
        var changes: [RowChange] = [
            .upsert(
                table.name,
                key: [.text(superseded)],
                [
                    "retained_nhs_number": .text(retained),
                    "merged_at": .text(merge.mergedAt.text),
                    "last_position": position,
                ]
            )
        ]
        for number in merges.merged(into: superseded, before: merging.position).sorted() {
            changes.append(
                .update(
                    table.name,
                    key: [.text(number)],
                    ["retained_nhs_number": .text(retained), "last_position": position]
                )
            )
        }
        return changes
    }
}
