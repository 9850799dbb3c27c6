//! motcua's integration suite: one test binary, real HTTP against a real server on a real
//! database. Every test runs on embedded SQLite by default, and on PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL=postgres://...` is set (each test gets its own schema).

mod agencies;
mod auth;
mod backups;
mod calendar;
mod catalogue;
mod cli;
mod counts_agree;
mod data_store;
mod disk_full;
mod documents;
mod dossier_import;
mod dossier_store;
mod dossiers;
mod errors;
mod faults;
mod feedback;
mod forms;
mod hall;
mod health;
mod identity;
mod index_pauses;
mod notices;
mod openapi;
mod pause_dates;
mod payments;
mod processes;
mod routes;
mod s3_outage;
mod security;
mod security_api;
mod stats;
mod supplement_result;
mod support;
mod ui_admin;
mod ui_counter;
mod ui_portal;
mod ui_stats;
mod ui_workspace;
mod units;
mod upgrade;
// Webhooks, national portal sync, postal partners (#21).
mod partners;
mod portal_sync;
mod webhooks;
// Single sign-on (#20).
mod sso;
mod totp;
mod transfers;
