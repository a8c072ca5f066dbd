//! Front-end files built into the binary (no CDN: the product works offline).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "vendor/htmx-2.0.11.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/htmx-2.0.11.min.js"),
    },
    Asset {
        path: "vendor/tabler-1.6.1.min.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../assets/vendor/tabler-1.6.1.min.css"),
    },
    Asset {
        path: "vendor/echarts-6.1.0.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/echarts-6.1.0.min.js"),
    },
    Asset { path: "charts.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../assets/charts.js") },
    Asset { path: "app.css", mime: "text/css; charset=utf-8", body: include_bytes!("../assets/app.css") },
    Asset { path: "app.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../assets/app.js") },
    Asset { path: "favicon.svg", mime: "image/svg+xml", body: include_bytes!("../assets/favicon.svg") },
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.mime), (header::CACHE_CONTROL, "public, max-age=86400")], a.body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
