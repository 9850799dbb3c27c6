//! The procedure record (TTHC) and the importer of the national portal crawl format.
