//! Battery steps per second: one 40-block string and a 4 × 40 bank, each step a constant-power
//! discharge step of 1 s (solve the bank's current, step every block's wells and books).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use sim::SimRng;
use sim::battery::Bank;
use std::hint::black_box;

fn bank_step(c: &mut Criterion) {
    let params = ups_models::load_block("vrla-12v-38ah").expect("bundled block");
    let mut group = c.benchmark_group("battery_step");
    group.throughput(Throughput::Elements(1));
    for (strings, power_w) in [(1, 10_000.0), (4, 40_000.0)] {
        let fresh = Bank::new(params.clone(), strings, 40, 25.0, &mut SimRng::seed_from_u64(1));
        let mut bank = fresh.clone();
        let mut steps = 0_u32;
        group.bench_function(format!("{strings}x40_blocks"), |b| {
            b.iter(|| {
                // Start again well before the bank empties so every step is a normal one.
                steps += 1;
                if steps == 1_000 {
                    bank = fresh.clone();
                    steps = 0;
                }
                black_box(bank.step_power(black_box(power_w), 1.0))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bank_step);
criterion_main!(benches);
