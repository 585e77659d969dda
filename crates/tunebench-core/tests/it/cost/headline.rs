//! The sentences the cost report writes: never paid back, and which arm is cheaper at the
//! volume and where it flips, each citing only figures the cost table shows.

use super::*;

#[test]
fn a_run_that_outlives_neither_retraining_nor_retirement_never_pays_back_in_one_sentence() {
    // One run costs $1,000; fine-tuning saves $28.27 a month at 1,000 queries/day.
    let with = |cadence: f64, retirement: Option<&str>| {
        let mut s = prices_md_example(0.0);
        let t = s.arm_b.training.as_mut().unwrap();
        t.price = 1000.0 / 1.5;
        t.retrain_every_months = cadence;
        s.arm_b.retirement_date = retirement.map(str::to_owned);
        cost::evaluate(&s).unwrap().payback
    };
    let cases = [
        (
            with(3.0, None),
            "The first training run would pay back in month 36, but the model is retrained every 3 months: it never pays back",
        ),
        (
            with(12.0, Some("2026-08-31")),
            "The first training run would pay back in month 36, but the model retires after 3 months: it never pays back",
        ),
    ];
    for (p, sentence) in cases {
        assert_eq!(p.note.as_deref(), Some(sentence));
        assert_eq!(p.month, None, "no payback month when it never pays back");
    }
    // Within the cadence: a payback month and no note.
    let p = with(48.0, None);
    assert_eq!((p.month, p.note), (Some(36), None));
}

/// Every dollar figure written in `text`, as written.
fn dollar_figures(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "();:".contains(c))
        .filter(|w| w.starts_with('$') || w.starts_with("-$"))
        .map(|w| w.trim_end_matches(['.', ',']).to_string())
        .collect()
}

/// The figures of the cost table under the crossover chart, as written: per query, hosting,
/// training and total a month, and per correct answer, of both arms.
fn table_figures(r: &cost::CostReport) -> Vec<String> {
    [&r.arm_a, &r.arm_b]
        .iter()
        .flat_map(|a| {
            [
                Some(a.per_query.mean),
                Some(a.hosting_monthly),
                Some(a.training_monthly),
                Some(a.monthly_at_volume.mean),
                a.cost_per_correct_answer,
            ]
        })
        .flatten()
        .map(tunebench_core::money::usd)
        .collect()
}

#[test]
fn the_never_paid_back_sentence_cites_only_figures_the_cost_table_shows() {
    // Hosting at $0.10 an hour makes the fine-tuned arm dearer than prompting at 1,000
    // queries a day even before its training: the sentence must not quote a figure "before
    // training" that no table shows.
    let mut s = prices_md_example(0.0);
    s.arm_b.hosting = Hosting::Hourly { per_hour: 0.10 };
    let r = cost::evaluate(&s).unwrap();
    let note = r.payback.note.clone().expect("it never pays back");
    let shown = table_figures(&r);
    for figure in dollar_figures(&note) {
        assert!(
            shown.contains(&figure),
            "{figure} in {note:?} is not in the cost table {shown:?}"
        );
    }
    assert_eq!(
        note,
        format!(
            "At 1,000 queries a day fine-tuned nano costs {} a month, {} of it training, against \
             {} for prompting mini: its queries and hosting alone cost no less, so its training is \
             never paid back",
            tunebench_core::money::usd(r.arm_b.monthly_at_volume.mean),
            tunebench_core::money::usd(r.arm_b.training_monthly),
            tunebench_core::money::usd(r.arm_a.monthly_at_volume.mean),
        )
    );
}

/// Case 2 of the decision's cost cases: prompting hosted at $10/h, the fine-tuned arm dearer
/// per query; they cross once, and below the crossing fine-tuning is cheaper.
fn prompting_cheaper_above() -> Scenario {
    let mut s = prices_md_example(0.0);
    s.arm_a.hosting = Hosting::Hourly { per_hour: 10.0 };
    s.arm_b.tokens = prices_md_example(0.0).arm_a.tokens;
    s.arm_b.tokens.output = Estimate::exact(400.0);
    s.arm_b.price.input = 0.80;
    s.arm_b.price.output = 3.20;
    s.queries_per_day = 10_000.0;
    s
}

/// Case 3: no training, the fine-tuned arm on provisioned units ($0.20 an hour, 11,000
/// queries a day each, peak twice the mean): the cheaper arm changes at every unit.
fn stepped_hosting(queries_per_day: f64) -> Scenario {
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 11_000.0,
        peak_to_mean: 2.0,
    };
    s.queries_per_day = queries_per_day;
    s
}

#[test]
fn the_cost_headline_names_the_cheaper_arm_at_the_volume_and_where_it_flips() {
    let cases = [
        (
            // One crossing, fine-tuning cheaper above it.
            prices_md_example(0.0),
            "Fine-tuning is cheaper from 80 queries/day, prompting below it. At 1,000 \
             queries/day fine-tuning is cheaper: fine-tuned $6.81 vs prompting $32.83 a month",
        ),
        (
            // One crossing, prompting cheaper above it.
            prompting_cheaper_above(),
            "Fine-tuning is cheaper up to 117,675 queries/day, prompting above it. At 10,000 \
             queries/day fine-tuning is cheaper: fine-tuned $951 vs prompting $7,628 a month",
        ),
        (
            // No crossing: cheaper at every volume.
            {
                let mut s = prices_md_example(0.0);
                s.arm_b.training = None;
                s.queries_per_day = 10_000.0;
                s
            },
            "No break-even: fine-tuning is cheaper at every volume. At 10,000 queries/day \
             fine-tuning is cheaper: fine-tuned $45.60 vs prompting $328 a month",
        ),
    ];
    for (s, expected) in cases {
        let r = cost::evaluate(&s).unwrap();
        assert_eq!(r.headline, expected);
        let shown = table_figures(&r);
        for figure in dollar_figures(&r.headline) {
            assert!(shown.contains(&figure), "{figure} is not in {shown:?}");
        }
    }
}

#[test]
fn with_stepped_hosting_the_cost_headline_states_the_arm_cheaper_at_the_volume_not_the_first_crossing(
) {
    let r = cost::evaluate(&stepped_hosting(50_000.0)).unwrap();
    let (ranges, _) = cost::cheaper_ranges(&stepped_hosting(50_000.0)).unwrap();
    let here = ranges.iter().find(|x| x.contains(50_000.0)).unwrap();
    assert_eq!(here.cheaper, Some(Side::A), "{ranges:?}");
    let flips = ranges.len() - 1;
    assert_eq!(
        r.headline,
        format!(
            "Prompting is cheaper below 5,164 queries/day and fine-tuning from 82,626 up; in \
             between the cheaper arm changes {} more times as provisioned units are added. At \
             50,000 queries/day prompting is cheaper, from 49,500 to 51,641 queries/day: \
             fine-tuned $1,688 vs prompting $1,642 a month",
            flips - 2
        )
    );
    // Away from the team's volume the headline follows the range it falls in.
    let r = cost::evaluate(&stepped_hosting(52_000.0)).unwrap();
    assert!(
        r.headline.contains(
            "At 52,000 queries/day fine-tuning is cheaper, from 51,641 to 55,000 queries/day"
        ),
        "{}",
        r.headline
    );
}

/// Case 1 on provisioned units of $0.20 an hour ($146 a month) carrying 10,327.84 queries a
/// day each: one unit pays for itself at 5,164.12 queries a day and two at 10,328.24, 0.4 of
/// a query above the volume where the second unit is bought. So prompting is cheaper again
/// only over (10,327.84, 10,328.24], a sliver no team runs at.
fn sliver_hosting(queries_per_day: f64) -> Scenario {
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 10_327.84,
        peak_to_mean: 1.0,
    };
    s.queries_per_day = queries_per_day;
    s
}

#[test]
fn a_range_narrower_than_one_query_a_day_is_not_named_as_a_range_of_its_own() {
    let s = sliver_hosting(20_000.0);
    let (exact, _) = cost::cheaper_ranges(&s).unwrap();
    let sliver = exact
        .iter()
        .find(|r| r.from > 0.0 && r.to.is_some_and(|to| to - r.from < 1.0))
        .copied();
    assert_eq!(
        sliver.map(|r| r.cheaper),
        Some(Some(Side::A)),
        "the exact ranges hold prompting's sliver: {exact:?}"
    );
    let r = cost::evaluate(&s).unwrap();
    assert_eq!(
        r.headline,
        "Fine-tuning is cheaper from 5,164 queries/day, prompting below it. At 20,000 \
         queries/day fine-tuning is cheaper: fine-tuned $383 vs prompting $657 a month"
    );
    // The named ranges tile the volumes with the sliver folded into its neighbours.
    let named = cost::named_ranges(&exact, 20_000.0);
    assert_eq!(named.len(), 2, "{named:?}");
    assert_eq!(
        (named[0].cheaper, named[1].cheaper),
        (Some(Side::A), Some(Side::B))
    );
    assert_eq!(named[0].to, Some(named[1].from));
    assert_eq!(named[1].to, None);
    // A team whose volume falls in the sliver is told the arm cheaper there.
    let inside = sliver.unwrap().from + 0.2;
    let r = cost::evaluate(&sliver_hosting(inside)).unwrap();
    assert!(
        r.headline
            .contains("prompting is cheaper, from 10,328 to 10,328 queries/day"),
        "{}",
        r.headline
    );
}
