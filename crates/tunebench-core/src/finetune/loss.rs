//! A job's training-loss chart, drawn with plotters like every chart, as the Fine-tune
//! screen shows it under the job's row and redraws it as the poller brings events.

use rusqlite::Connection;

use crate::chart::{self, preset, LossData};
use crate::{store, Result};

/// Job `id`'s training loss by step as SVG; `None` while its events carry no loss.
pub fn loss_chart(conn: &Connection, id: i32) -> Result<Option<String>> {
    let job = store::fine_tune::get(conn, id)?;
    let losses = job.losses();
    let Some(&(last_step, last_loss)) = losses.last() else {
        return Ok(None);
    };
    let source = format!(
        "{} steps reported by {} · {} · last loss {last_loss:.3} at step {last_step}",
        losses.len(),
        job.trainer.label(),
        job.status.as_str()
    );
    let spec = preset::loss_screen(id, source, LossData::from_pairs(&losses));
    chart::render_svg(&spec).map(Some)
}
