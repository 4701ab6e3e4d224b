-- What a confirmed change's event says beside before and after: for a change of the MX set, which
-- of the zone's nameservers serve the new set, and once all do, since when and by when resolvers'
-- caches have it. Null for the other changes and for events stored before.
ALTER TABLE change_event ADD COLUMN note VARCHAR(1024);
