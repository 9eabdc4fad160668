//! Nothing panics, whatever the image: random 4096-word images (key
//! instructions included) under `run` and `step`, with random store sizes;
//! and the constructor and loader refuse what they cannot build.

mod common;

use common::*;
use j1k_isa::KeyConfig;
use j1k_sim::{BufUart, Config, Limits, Machine, Observer, SimError, Step};
use proptest::prelude::*;

fn key_config() -> impl Strategy<Value = KeyConfig> {
    (0u32..13, 0u32..6, 2u16..64, 2u16..16, 0u32..4, 0u32..3).prop_map(|(w, s, b, n, br, nr)| {
        KeyConfig {
            block_words: 1 << w,
            node_slots: 1 << s,
            blocks: b,
            nodes: n,
            block_regs: 1 << br,
            node_regs: 1 << nr,
        }
    })
}

struct Count(u64);
impl Observer for Count {
    fn after_cycle(&mut self, m: &Machine, s: &Step) {
        assert_eq!(s.cycle + 1, m.cycles());
        self.0 += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_images_never_panic(
        img in prop::collection::vec(any::<u16>(), 4096),
        key in key_config(),
        input in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let cfg = Config { cores: 1, key, ..Default::default() };
        let mut m = Machine::new(cfg).unwrap();
        m.load_image(0, &img).unwrap();
        let mut u = BufUart::new(&input);
        let l = Limits { max_cycles: Some(5000), idle_cycles: 2000 };
        m.run(&mut u, &l);
        prop_assert!(m.cycles() <= 5000);
        // And stepping, observed, from a fresh start.
        let mut m = Machine::new(cfg).unwrap();
        m.load_image(0, &img).unwrap();
        let mut c = Count(0);
        m.run_observed(&mut BufUart::new(&input), &l, &mut c);
        prop_assert_eq!(c.0, m.cycles());
        let _ = m.stats();
    }
}

#[test]
fn loader_and_constructor_refuse_what_they_cannot_build() {
    let mut m = machine(&[]);
    assert_eq!(
        m.load_image(0, &vec![0; 4097]),
        Err(SimError::ImageTooLarge(4097, 4096))
    );
    assert!(m.load_image(0, &vec![0x8001; 4096]).is_ok());
    assert_eq!(m.core(0).ram()[4095], 0x8001);
    assert!(matches!(
        m.load_image(1, &[]),
        Err(SimError::NoSuchCore(1, 1))
    ));
    assert!(m.load_image(0, &[]).is_ok());
    assert!(
        m.core(0).ram().iter().all(|&w| w == 0),
        "the rest of RAM is zero"
    );
    for cores in [0, 9] {
        let r = Machine::new(Config {
            cores,
            ..Config::default()
        });
        assert!(matches!(r, Err(SimError::Cores(c)) if c == cores));
    }
    let bad = KeyConfig {
        block_words: 3,
        ..KeyConfig::default()
    };
    assert!(matches!(
        Machine::new(Config {
            cores: 1,
            key: bad,
            ..Default::default()
        }),
        Err(SimError::KeyConfig(_))
    ));
}

#[test]
fn reset_restarts_but_keeps_ram() {
    let mut m = machine(&[lit(5), jmp(1)]);
    let mut u = BufUart::default();
    run_to_halt(&mut m, &mut u, 100);
    assert_eq!(m.core(0).t(), 5);
    m.reset();
    assert_eq!((m.cycles(), m.core(0).t(), m.core(0).pc()), (0, 0, 0));
    assert!(m.core(0).rebooting());
    assert_eq!(m.stats().instructions, 0);
    run_to_halt(&mut m, &mut u, 100);
    assert_eq!((m.cycles(), m.core(0).t()), (3, 5));
}
