//! Chart data from a run's report: metric comparison with intervals, confusion matrix,
//! quality against cost per query. Pure: the report is already computed.

use super::RunReport;
use crate::chart::{ConfusionData, MetricBar, MetricData, MetricGroup, QualityData, QualityPoint};

/// Every metric with an interval, one bar per arm (A then B).
pub fn metric_data(r: &RunReport) -> MetricData {
    let mut groups = vec![MetricGroup {
        metric: format!("{} (primary)", r.primary_metric),
        bars: r
            .arms
            .iter()
            .map(|a| MetricBar {
                arm: a.name.clone(),
                value: a.primary.value,
                low: a.primary.interval.low,
                high: a.primary.interval.high,
            })
            .collect(),
    }];
    let names: Vec<String> = r.arms.first().map_or_else(Vec::new, |a| {
        a.metrics.iter().map(|m| m.metric.clone()).collect()
    });
    for name in names.into_iter().filter(|n| *n != r.primary_metric) {
        let bars: Option<Vec<MetricBar>> = r
            .arms
            .iter()
            .map(|a| {
                let m = a.metrics.iter().find(|m| m.metric == name)?;
                let (mean, iv) = (m.mean?, m.interval?);
                Some(MetricBar {
                    arm: a.name.clone(),
                    value: mean,
                    low: iv.low,
                    high: iv.high,
                })
            })
            .collect();
        if let Some(bars) = bars {
            groups.push(MetricGroup { metric: name, bars });
        }
    }
    MetricData {
        groups,
        y_label: "Score (95 % CI)".into(),
    }
}

/// The confusion matrix of arm `index` (0 = A, 1 = B), when the experiment classifies.
pub fn confusion_data(r: &RunReport, index: usize) -> Option<ConfusionData> {
    let l = r.arms.get(index)?.label_report.as_ref()?;
    Some(ConfusionData {
        labels: l.labels.clone(),
        counts: l.confusion.clone(),
    })
}

/// Each priced arm's primary metric against its measured cost per query.
pub fn quality_data(r: &RunReport) -> Option<QualityData> {
    let points: Vec<QualityPoint> = r
        .arms
        .iter()
        .filter_map(|a| {
            Some(QualityPoint {
                name: a.name.clone(),
                cost_per_query: a.cost_per_query?,
                quality: a.primary.value,
                low: a.primary.interval.low,
                high: a.primary.interval.high,
            })
        })
        .collect();
    (!points.is_empty()).then(|| QualityData {
        metric: r.primary_metric.clone(),
        points,
    })
}
