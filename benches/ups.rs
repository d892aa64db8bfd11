//! Simulated seconds per wall second at dt = 10 ms: the 3 kVA single unit, the 60 kVA unit
//! (2 × 40 blocks), and the modular unit with all 8 modules fitted. Criterion reports the
//! time for one simulated second (100 steps); real-time factor = 1 s / that time.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sim::{StartOptions, Ups};
use std::hint::black_box;
use ups_models::model::Topology;

fn ups_for(name: &str, eight_modules: bool) -> Ups {
    let mut loaded = ups_models::load_model(name).expect("bundled model");
    if eight_modules {
        loaded.model.topology = Topology::Modular { modules: 8, max_modules: 8, redundancy: 1 };
        loaded.model.ratings.apparent_power_kva = 200.0;
        loaded.model.ratings.active_power_kw = 200.0;
    }
    Ups::new(&loaded, 1, &StartOptions::default())
}

fn simulated_second(c: &mut Criterion) {
    let mut group = c.benchmark_group("ups_simulated_second_dt_10ms");
    group.throughput(Throughput::Elements(1));
    for (label, name, eight) in [
        ("netys_pr_3k", "netys-pr-3k", false),
        ("masterys_gp_60", "masterys-gp-60", false),
        ("modulys_8_modules", "modulys-gp2-100", true),
    ] {
        let mut ups = ups_for(name, eight);
        group.bench_function(label, |b| {
            b.iter(|| {
                for _ in 0..100 {
                    ups.step(black_box(0.01));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, simulated_second);
criterion_main!(benches);
