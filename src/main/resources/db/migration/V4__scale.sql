-- mxwatch at scale: what the operator views filter on, kept beside the drift state; alerting finds
-- the domains to evaluate by index instead of comparing every row; the schedule has one Quartz job
-- per time slot instead of one per domain. Plain SQL that H2 and PostgreSQL both run.

-- The content of each distinct snapshot (the observation drift compares, the check in full) apart
-- from its run counters: a repeated check updates a narrow row that stays in the cache.
CREATE TABLE snapshot_content (
  snapshot_id  BIGINT PRIMARY KEY REFERENCES snapshot (id) ON DELETE CASCADE,
  observation  TEXT NOT NULL,
  snapshot     TEXT NOT NULL
);
INSERT INTO snapshot_content (snapshot_id, observation, snapshot) SELECT id, observation, snapshot FROM snapshot;
ALTER TABLE snapshot DROP COLUMN observation;
ALTER TABLE snapshot DROP COLUMN snapshot;
-- last_seen moves with every repeated check: an index on it would be rewritten each time
DROP INDEX snapshot_domain_last_seen;
CREATE INDEX snapshot_domain_first_seen ON snapshot (domain, first_seen);

-- When the domain's latest change was confirmed (was a subquery over change_event per row).
ALTER TABLE drift_state ADD COLUMN last_change_at TIMESTAMP WITH TIME ZONE;
UPDATE drift_state SET last_change_at = (SELECT MAX(c.confirmed_at) FROM change_event c WHERE c.domain = drift_state.domain);

-- Open changes when the state was last written, counted against the expectations configured
-- then; NULL: not counted yet. A filter on it is narrowed again with the current configuration.
ALTER TABLE drift_state ADD COLUMN open_changes INT;

-- The state moved (a check recorded a change, an operator approved) since alerting last looked.
ALTER TABLE drift_state ADD COLUMN alert_pending BOOLEAN DEFAULT TRUE NOT NULL;
UPDATE drift_state SET alert_pending = FALSE
  WHERE EXISTS (SELECT 1 FROM alert_domain a WHERE a.domain = drift_state.domain AND a.drift_version = drift_state.version);

-- When the state was last written (the database's clock): what the metrics re-read.
ALTER TABLE drift_state ADD COLUMN changed_at TIMESTAMP WITH TIME ZONE;
UPDATE drift_state SET changed_at = last_checked_at;

CREATE INDEX drift_state_changed ON drift_state (changed_at);
CREATE INDEX drift_state_alert_pending ON drift_state (alert_pending);
CREATE INDEX drift_state_status ON drift_state (last_status, domain);
CREATE INDEX drift_state_open ON drift_state (open_changes, domain);
CREATE INDEX alert_domain_due ON alert_domain (due_at);

-- The per-domain jobs and triggers of earlier versions (group 'domain'): the schedule is now a job
-- per slot of each interval (group 'slots'), which the daemon creates when it starts.
DELETE FROM QRTZ_FIRED_TRIGGERS WHERE TRIGGER_GROUP = 'domain';
DELETE FROM QRTZ_SIMPLE_TRIGGERS WHERE TRIGGER_GROUP = 'domain';
DELETE FROM QRTZ_CRON_TRIGGERS WHERE TRIGGER_GROUP = 'domain';
DELETE FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'domain';
DELETE FROM QRTZ_JOB_DETAILS WHERE JOB_GROUP = 'domain';
