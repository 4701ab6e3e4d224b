-- Change events by the snapshot they were confirmed in: the store replaces a snapshot of a domain
-- whose records change on every check only when no event points at it, and deleting old snapshots
-- (ON DELETE SET NULL) finds the events of each by index instead of reading them all.
CREATE INDEX change_event_snapshot ON change_event (snapshot_id);
