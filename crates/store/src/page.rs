//! Paging for every list: the page is cut in the database.

use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

/// Why a page request was refused (`PageRequest::check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRangeError {
    /// `page` outside 1..=`MAX_PAGE`.
    Page,
    /// `per_page` outside 1..=`MAX_PER_PAGE`.
    PerPage,
}

impl PageRangeError {
    /// The query parameter at fault.
    pub fn field(&self) -> &'static str {
        match self {
            PageRangeError::Page => "page",
            PageRangeError::PerPage => "per_page",
        }
    }

    /// A Chinese message for people.
    pub fn message(&self) -> String {
        match self {
            PageRangeError::Page => format!("页码超出范围（应为 1–{}）", PageRequest::MAX_PAGE),
            PageRangeError::PerPage => format!("每页条数超出范围（应为 1–{}）", PageRequest::MAX_PER_PAGE),
        }
    }
}

impl PageRequest {
    pub const MAX_PER_PAGE: u64 = 200;
    /// The last page anyone may ask for: offsets stay far below what the
    /// databases accept (`i64`), and far above any real list.
    pub const MAX_PAGE: u64 = 1_000_000;

    /// A page request from optional values, clamped into range (never fails,
    /// never overflows). Input from outside is checked first with `check`.
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        Self {
            page: page.unwrap_or(1).clamp(1, Self::MAX_PAGE),
            per_page: per_page.unwrap_or(20).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// A page request from the values a client sent: out of range is an error.
    pub fn check(page: Option<u64>, per_page: Option<u64>) -> Result<Self, PageRangeError> {
        if page.is_some_and(|p| !(1..=Self::MAX_PAGE).contains(&p)) {
            return Err(PageRangeError::Page);
        }
        if per_page.is_some_and(|p| !(1..=Self::MAX_PER_PAGE).contains(&p)) {
            return Err(PageRangeError::PerPage);
        }
        Ok(Self::new(page, per_page))
    }

    /// Rows to skip. The fields are public, so clamp again: the result always
    /// fits the databases' signed 64-bit OFFSET.
    pub fn offset(&self) -> u64 {
        (self.page.clamp(1, Self::MAX_PAGE) - 1) * self.per_page.clamp(1, Self::MAX_PER_PAGE)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_values_are_clamped_or_refused() {
        let p = PageRequest::new(Some(u64::MAX), Some(u64::MAX));
        assert_eq!((p.page, p.per_page), (PageRequest::MAX_PAGE, PageRequest::MAX_PER_PAGE));
        assert!(i64::try_from(p.offset()).is_ok());
        let raw = PageRequest { page: u64::MAX, per_page: u64::MAX };
        assert!(i64::try_from(raw.offset()).is_ok());
        assert_eq!(PageRequest::new(Some(0), Some(0)).offset(), 0);
        assert_eq!(PageRequest::check(Some(9_223_372_036_854_775_807), None).err(), Some(PageRangeError::Page));
        assert_eq!(PageRequest::check(Some(0), None).err(), Some(PageRangeError::Page));
        assert_eq!(PageRequest::check(None, Some(201)).err(), Some(PageRangeError::PerPage));
        assert_eq!(PageRequest::check(Some(3), Some(50)).map(|p| p.offset()), Ok(100));
    }
}
