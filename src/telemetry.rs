//! Logs and traces: log lines to stderr (text or JSON, filtered by
//! `RUST_LOG`), and, when an OTLP endpoint is configured, every span (a
//! request, its loader batches, an import's batches) exported over
//! OTLP/HTTP to a collector such as the OpenTelemetry Collector, Jaeger or
//! Tempo.
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::cli::LogFormat;

/// Spans sent to the collector: requests at info, and the loader batches and
/// import phases beneath them at debug, whatever `RUST_LOG` says of the logs.
const TRACE_FILTER: &str = "info,scholargraph=debug,sqlx=warn,sea_orm=warn";

/// Keeps the exporter alive; [`Telemetry::shutdown`] sends the spans still
/// buffered. Call it outside the async runtime (the exporter blocks).
#[must_use]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            if let Err(err) = provider.shutdown() {
                eprintln!("warning: sending the last traces: {err}");
            }
        }
    }
}

/// Sets up logging and, given an OTLP base endpoint (e.g.
/// `http://127.0.0.1:4318`, as in `OTEL_EXPORTER_OTLP_ENDPOINT`), trace
/// export to `{endpoint}/v1/traces`. Must run before the async runtime starts.
pub fn init(format: LogFormat, otlp_endpoint: Option<&str>) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi);
    let fmt = match format {
        LogFormat::Text => fmt.with_filter(filter).boxed(),
        LogFormat::Json => fmt.json().flatten_event(true).with_filter(filter).boxed(),
    };
    let provider = otlp_endpoint.filter(|e| !e.trim().is_empty()).and_then(|endpoint| match provider(endpoint) {
        Ok(provider) => Some(provider),
        Err(err) => {
            eprintln!("warning: traces will not be exported to {endpoint}: {err}");
            None
        }
    });
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer().with_tracer(p.tracer("scholargraph")).with_filter(EnvFilter::new(TRACE_FILTER))
    });
    // try_init: a second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(fmt).with(otel).try_init();
    Telemetry { provider }
}

fn provider(endpoint: &str) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("scholargraph").build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}
