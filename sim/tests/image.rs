//! The register image: both bundled maps applied to the twin, read and written as a card
//! (or NUT's socomec_jbus) would.

use sim::image::signals::takes_phase;
use sim::image::{Exception, RegisterImage};
use sim::ups::conditions::Conditions;
use sim::ups::faults::parse_fault;
use sim::{StartOptions, Ups};
use ups_models::flags::split_signal;
use ups_models::map::Source;

fn twin(model: &str) -> (Ups, RegisterImage) {
    let loaded = ups_models::load_model(model).unwrap();
    let map = ups_models::maps::bundled(&loaded.model.register_map).unwrap();
    let image = RegisterImage::new(map, loaded.model.identity.map_family.clone());
    let mut ups = Ups::new(&loaded, 1, &StartOptions::default());
    for _ in 0..20 {
        ups.step(0.1);
    }
    (ups, image)
}

fn word(image: &RegisterImage, ups: &Ups, address: u16) -> u16 {
    image.read(ups, address, 1).unwrap()[0]
}

#[test]
fn every_signal_in_the_bundled_maps_exists() {
    for name in ups_models::maps::names() {
        let map = ups_models::maps::bundled(name).unwrap();
        for table in &map.tables {
            for bit in &table.bits {
                if let Some(signal) = &bit.signal {
                    let (condition, index) = split_signal(signal);
                    assert!(
                        Conditions::is_known(&condition, index),
                        "{name} {}: unknown condition `{signal}`",
                        bit.code
                    );
                }
            }
            for register in &table.registers {
                if let Some(signal) = &register.valid_when {
                    let (condition, index) = split_signal(signal);
                    assert!(
                        Conditions::is_known(&condition, index),
                        "{name} {}: unknown condition `{signal}`",
                        register.code
                    );
                }
                if let Source::Measurement { signal, phase, .. } = &register.source {
                    let phased = takes_phase(signal)
                        .unwrap_or_else(|| panic!("{name} {}: unknown `{signal}`", register.code));
                    assert_eq!(phased, phase.is_some(), "{name} {}: phase of `{signal}`", register.code);
                }
            }
        }
    }
}

#[test]
fn jbusp_identifiers_and_configuration_as_nut_reads_them() {
    let (ups, image) = twin("delphys-mx-300");
    let identifiers = image.read(&ups, 0x1000, 12).unwrap();
    assert_eq!(identifiers[0], 515, "DELPHYS MX model code");
    assert_eq!(identifiers[1], 3000, "300 kVA × 10");
    // Serial number "DMX3000007", two characters per word, low byte first.
    let serial: String =
        identifiers[3..8].iter().flat_map(|w| [(w & 0xFF) as u8 as char, (w >> 8) as u8 as char]).collect();
    assert_eq!(serial, "DMX3000007");
    let configuration = image.read(&ups, 0x10E0, 32).unwrap();
    assert_eq!(&configuration[..4], &[230, 230, 50, 50]);
    assert_eq!(configuration[8], 4000, "4 strings × 100 Ah × 10");
    assert!(configuration[16..].iter().all(|&w| w == 0), "words past the table read 0");
    assert_eq!(image.read(&ups, 0x1020, 6).unwrap().len(), 6, "NUT reads six status words");
}

#[test]
fn jbusp_measurements_follow_the_twin() {
    let (mut ups, image) = twin("delphys-mx-300");
    let m = image.read(&ups, 0x1060, 48).unwrap();
    assert_eq!(&m[0..3], &[50, 50, 50], "load per phase, %");
    assert_eq!(m[3], 50, "UPS load");
    assert_eq!(&m[9..12], &[230, 230, 230], "output voltages");
    assert_eq!(m[19], 500, "output frequency × 10");
    assert_eq!(m[23], 0xFFFF, "no remaining time on mains (NUT reads it as on line)");
    assert_eq!(m[21], 0xFFFF, "battery voltage (−) not managed");
    assert_eq!(m[12], 0xFFFF, "input currents not managed by DELPHYS MP/MX");
    let battery_v = ups.measurements().battery_voltage_v;
    assert_eq!(m[20], (battery_v * 10.0).round() as u16);
    ups.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
    for _ in 0..20 {
        ups.step(0.1);
    }
    let runtime_min = word(&image, &ups, 0x1077);
    assert!(runtime_min > 15 && runtime_min < 600, "minutes on battery: {runtime_min}");
    assert_eq!(runtime_min, (ups.measurements().remaining_runtime_s / 60.0).round() as u16);
    let status = image.read(&ups, 0x1020, 4).unwrap();
    assert_ne!(status[0] & 1 << 5, 0, "S05 on battery");
    assert_eq!(status[0] & 1, 0, "S00 rectifier input gone");
    let current = word(&image, &ups, 0x1078) as i16;
    assert!(current > 0, "discharge current, signed: {current}");
}

#[test]
fn masterys_reports_the_two_halves_of_its_battery() {
    let (mut ups, image) = twin("masterys-gp-60");
    let battery_v = ups.measurements().battery_voltage_v;
    let (positive, negative) = (f64::from(word(&image, &ups, 0x1074)), f64::from(word(&image, &ups, 0x1075)));
    assert!((positive + negative - battery_v * 10.0).abs() <= 1.0, "M20 + M21 = {battery_v:.1} V × 10");
    assert!((positive - negative).abs() <= 1.0, "matched halves: {positive} and {negative}");
    // A weak block in the negative half (blocks 21–40 of a 40-block string) pulls that half
    // down once the battery discharges.
    ups.inject(
        parse_fault("weak_block", &[("string", "1"), ("block", "30"), ("capacity_pct", "10")]).unwrap(),
    )
    .unwrap();
    ups.inject(
        parse_fault("weak_block", &[("string", "2"), ("block", "30"), ("capacity_pct", "10")]).unwrap(),
    )
    .unwrap();
    ups.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
    for _ in 0..2400 {
        ups.step(0.1);
    }
    let (positive, negative) = (word(&image, &ups, 0x1074), word(&image, &ups, 0x1075));
    assert!(negative + 5 < positive, "the weak half reads lower: + {positive}, − {negative} (V × 10)");
    // The other JBUSP ranges report the whole battery in M20 and manage no M21.
    let (ups, image) = twin("delphys-mx-300");
    assert_eq!(word(&image, &ups, 0x1075), 0xFFFF);
    assert_eq!(word(&image, &ups, 0x1074), (ups.measurements().battery_voltage_v * 10.0).round() as u16);
}

#[test]
fn single_phase_models_report_phases_2_and_3_as_not_managed() {
    let (ups, image) = twin("netys-pr-3k");
    let m = image.read(&ups, 0x1060, 3).unwrap();
    assert_eq!(m, [50, 0xFFFF, 0xFFFF]);
    assert_eq!(word(&image, &ups, 0x1000), 35, "NETYS PR");
}

#[test]
fn bad_reads_and_writes_get_the_modbus_exception() {
    let (mut ups, image) = twin("masterys-gp-60");
    assert_eq!(image.read(&ups, 0x1100, 1), Err(Exception::IllegalDataAddress));
    assert_eq!(image.read(&ups, 0x1060, 49), Err(Exception::IllegalDataAddress), "past the table's extent");
    assert_eq!(image.read(&ups, 0x1060, 0), Err(Exception::IllegalDataValue));
    assert_eq!(image.read(&ups, 0x1060, 126), Err(Exception::IllegalDataValue));
    assert_eq!(
        image.write(&mut ups, 0x1001, &[1]),
        Err(Exception::IllegalDataAddress),
        "identifiers are read-only"
    );
    assert_eq!(image.write(&mut ups, 0x1500, &[5]), Err(Exception::IllegalDataValue));
    assert_eq!(
        image.write(&mut ups, 0x1507, &[60]),
        Err(Exception::IllegalDataAddress),
        "shutdown takes two words"
    );
    assert_eq!(
        image.write(&mut ups, 0x1505, &[1]),
        Err(Exception::IllegalDataAddress),
        "JBUSP takes no line-interactive control (NET VISION §16.1: VU-MAP only)"
    );
}

#[test]
fn commands_written_to_the_map_reach_the_firmware() {
    let (mut ups, image) = twin("masterys-gp-60");
    image.write(&mut ups, 0x1501, &[1]).unwrap();
    ups.step(0.1);
    assert!(ups.conditions().eco_mode);
    image.write(&mut ups, 0x1501, &[0]).unwrap();
    image.write(&mut ups, 0x1507, &[300, 60]).unwrap();
    ups.step(0.1);
    assert!(ups.conditions().ups_off_procedure);
    image.write(&mut ups, 0x1509, &[1]).unwrap();
    ups.step(0.1);
    assert!(!ups.conditions().ups_off_procedure);
    // Set the clock to 2027-03-04 05:06:07 and read it back in the NUT layout.
    let clock = [6 << 8 | 7, 4 << 8 | 5, 3 << 8, 27];
    image.write(&mut ups, 0x1518, &clock).unwrap();
    assert_eq!(image.read(&ups, 0x1360, 4).unwrap(), clock);
    assert_eq!(image.write(&mut ups, 0x1518, &[0, 32 << 8, 13 << 8, 27]), Err(Exception::IllegalDataValue));
}

#[test]
fn vumap_configuration_serial_and_measurements() {
    let (ups, image) = twin("modulys-gp2-100");
    let configuration = image.read(&ups, 0x0001, 15).unwrap();
    assert_eq!(configuration[0], 0x0801, "modular unit");
    assert_eq!(configuration[1], 4, "four modules");
    assert_eq!(configuration[2], 0b1111);
    assert_eq!(&configuration[4..7], &[100, 100, 0x0303]);
    assert_eq!(configuration[13], 0, "no ×10 factor");
    assert_eq!(configuration[14], 0x8100, "MODULYS GP 2.0");
    let serial: String = image
        .read(&ups, 0x0010, 10)
        .unwrap()
        .iter()
        .flat_map(|w| [(w >> 8) as u8, (w & 0xFF) as u8])
        .filter(|&b| b != 0)
        .map(char::from)
        .collect();
    assert_eq!(serial, "MGP2-100-0000017");
    let m = image.read(&ups, 0x0040, 80).unwrap();
    assert_eq!(&m[10..13], &[230, 230, 230]);
    assert_eq!(m[13], 500, "frequency ##.#");
    assert_eq!(m[36], 398, "U12 = √3 × 230");
    let status = image.read(&ups, 0x0030, 8).unwrap();
    assert_ne!(status[0] & 1, 0, "S000 load protected by inverter");
}
