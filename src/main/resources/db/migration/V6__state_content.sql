-- The drift state's JSON (about 1.2 kB a domain) moves out of drift_state, as the snapshot's
-- content did in V4: what is read of every domain (the metrics' periodic read, the listings, the
-- versions a window's checks need) is then a narrow row of columns, and a database that reads
-- whole rows (H2 does) no longer decodes every domain's state to give its version.
CREATE TABLE drift_state_content (
  domain  VARCHAR(253) PRIMARY KEY REFERENCES drift_state (domain) ON DELETE CASCADE,
  state   TEXT NOT NULL
);
INSERT INTO drift_state_content (domain, state) SELECT domain, state FROM drift_state;
ALTER TABLE drift_state DROP COLUMN state;
