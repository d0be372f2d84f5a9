-- The key recur generated to sign notice links no longer lives in a table: whoever could read the
-- database (a copy of the embedded directory, a backup, a reporting user) could forge cancel
-- links with it. In development it is a 0600 file in the data directory (moved there before this
-- runs, so earlier links keep working); with real providers LINK_SIGNING_SECRET is required.
DROP TABLE IF EXISTS service_secrets;
