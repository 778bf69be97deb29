-- The computers of one donation batch, for its page and its labels.
CREATE INDEX asset_register_batch ON asset_register (batch_id);
