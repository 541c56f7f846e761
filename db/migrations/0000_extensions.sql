-- PostGIS for geography(Point,4326) columns and KNN; btree_gist for exclusion constraints on ranges.
CREATE EXTENSION IF NOT EXISTS postgis;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;
