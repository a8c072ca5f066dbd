//! Paging for every list: the page is cut in the database.

use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u64 = 200;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        Self { page: page.unwrap_or(1).max(1), per_page: per_page.unwrap_or(20).clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The number of matching records, or `COUNT_CAP` when there are more
    /// (`total_exact` is then false).
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub total_exact: bool,
}

/// Counting stops here: an exact count of hundreds of thousands of matches
/// costs more than the page itself, and "10,000+" tells a clerk as much.
pub const COUNT_CAP: u64 = 10_000;
