//! Uploaded files (附件): what may be kept, recognised by content, not by
//! the name the browser sends.

use crate::enums::labelled_enum;

/// The largest file kept: 10 MiB (an audit report scanned at 300 dpi).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

labelled_enum!(
    /// The kinds of file an attachment may be.
    FileKind {
        Pdf = "pdf", "PDF 文档";
        Png = "png", "PNG 图片";
        Jpeg = "jpeg", "JPEG 图片";
    }
);

impl FileKind {
    /// Recognise a file by its first bytes (magic numbers).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }
}

/// Why a file is refused, in Chinese.
pub fn check(bytes: &[u8]) -> Result<FileKind, String> {
    if bytes.is_empty() {
        return Err("请选择要上传的文件".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!("文件过大：每个附件不超过 {} MB", MAX_BYTES / 1024 / 1024));
    }
    FileKind::sniff(bytes).ok_or_else(|| "只能上传 PDF 文档或 PNG、JPEG 图片".into())
}

/// The name to keep: the last path component, without control characters,
/// at most [`MAX_NAME_CHARS`] characters, with the extension of the kind the
/// content is (a `.exe` renamed `.pdf` is refused before this, by content).
pub fn clean_name(name: &str, kind: FileKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let base: String = base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).collect();
    let stem = match base.rsplit_once('.') {
        Some((s, _)) => s.trim().to_owned(),
        None => base.trim().to_owned(),
    };
    let stem = if stem.is_empty() { "附件".to_owned() } else { stem };
    let ext = kind.extension();
    let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    format!("{}.{ext}", stem.chars().take(keep).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(check(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0]), Ok(FileKind::Png));
        assert_eq!(check(&[0xff, 0xd8, 0xff, 0xe0]), Ok(FileKind::Jpeg));
        assert!(check(b"MZ\x90\x00").expect_err("refused").contains("只能上传"));
        assert!(check(b"<html>").is_err());
        assert!(check(b"").expect_err("refused").contains("请选择"));
        let big = [b"%PDF-".as_slice(), &vec![0u8; MAX_BYTES]].concat();
        assert!(check(&big).expect_err("refused").contains("10 MB"));
    }

    #[test]
    fn names_keep_the_last_component_and_the_contents_extension() {
        assert_eq!(clean_name("C:\\Users\\a\\审计报告.PDF", FileKind::Pdf), "审计报告.pdf");
        assert_eq!(clean_name("../../etc/passwd", FileKind::Png), "passwd.png");
        assert_eq!(clean_name("会议纪要.exe", FileKind::Jpeg), "会议纪要.jpg");
        assert_eq!(clean_name("", FileKind::Pdf), "附件.pdf");
        assert_eq!(clean_name("a\u{0}b\"<x>.pdf", FileKind::Pdf), "abx.pdf");
    }

    proptest! {
        #[test]
        fn a_kept_name_is_short_and_has_no_path(name in ".{0,300}") {
            let n = clean_name(&name, FileKind::Pdf);
            prop_assert!(n.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!n.contains('/') && !n.contains('\\'));
            prop_assert!(n.ends_with(".pdf"));
            prop_assert!(!n.chars().any(char::is_control));
        }
    }
}
