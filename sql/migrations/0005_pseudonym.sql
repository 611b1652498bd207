-- The pseudonym in one place, for every reporting view: HMAC-SHA-256 of the NHS number, in hex.

CREATE FUNCTION reporting.pseudonym(nhs_number text, key bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN encode(hmac(convert_to(nhs_number, 'UTF8'), key, 'sha256'), 'hex');
COMMENT ON FUNCTION reporting.pseudonym(text, bytea) IS
    'The reporting pseudonym of an NHS number under a key: HMAC-SHA-256, hex. Useless without the key, '
    'which analysts cannot read.';

-- The key as the reporting views read it: one row, or an error when none is set. Analysts cannot
-- read it; the views read it with their owner's rights.
CREATE VIEW projector.reporting_key AS
SELECT reporting.key_or_error((SELECT key FROM projector.pseudonym_key)) AS key;
COMMENT ON VIEW projector.reporting_key IS
    'The pseudonym key for the reporting views; raises when none is configured. Not for analysts.';
COMMENT ON COLUMN projector.reporting_key.key IS 'The key of projector.pseudonym_key.';
GRANT SELECT ON projector.reporting_key TO projector_writer;
