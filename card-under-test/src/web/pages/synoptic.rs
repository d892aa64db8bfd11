//! The unit synoptic (§12.1) as SVG: the 21 elements of §12.1.1 laid out as NET VISION
//! draws them — the rectifier line in the middle, the bypass line above, the maintenance
//! bypass over both, the battery under the DC bus — each a group `#el-N` whose class gives
//! its colour. The page's script recolours them from `/api/view` at every refresh.
//! The same drawing is the system synoptic of a parallel system (§12.2): the page's script
//! then hides what is not `data-system` and shows the system symbol over the units' place.

use crate::derive::synoptic::{Colour, Element, SYSTEM_ELEMENTS, table_of};
use maud::{Markup, PreEscaped, html};

fn class(colour: Colour) -> &'static str {
    match colour {
        Colour::Hidden => "el c-hidden",
        Colour::Grey => "el c-grey",
        Colour::Green => "el c-green",
        Colour::Yellow => "el c-yellow",
        Colour::Red => "el c-red",
    }
}

/// The shapes of each element (SVG, in the 900 × 360 drawing).
fn shapes(number: u8) -> &'static str {
    match number {
        1 => {
            r#"<circle class="src" cx="50" cy="200" r="22"/><path class="sym" d="M36 200 q7 -12 14 0 t14 0"/><line class="wire" x1="72" y1="200" x2="150" y2="200"/>"#
        }
        2 => {
            r#"<rect class="box" x="150" y="165" width="80" height="70" rx="6"/><line class="sym" x1="150" y1="235" x2="230" y2="165"/><text class="sym-t" x="165" y="188">AC</text><text class="sym-t" x="200" y="226">DC</text>"#
        }
        3 => r#"<line class="wire" x1="230" y1="200" x2="300" y2="200"/>"#,
        4 => {
            r#"<line class="bus" x1="300" y1="200" x2="340" y2="200"/><line class="wire" x1="320" y1="200" x2="320" y2="262"/>"#
        }
        5 => r#"<line class="wire" x1="340" y1="200" x2="410" y2="200"/>"#,
        6 => {
            r#"<rect class="box" x="410" y="165" width="80" height="70" rx="6"/><line class="sym" x1="410" y1="235" x2="490" y2="165"/><text class="sym-t" x="425" y="188">DC</text><text class="sym-t" x="460" y="226">AC</text>"#
        }
        7 => r#"<line class="wire" x1="490" y1="200" x2="640" y2="200"/>"#,
        8 => r#"<line class="wire" x1="640" y1="200" x2="740" y2="200"/>"#,
        9 => {
            r#"<rect class="box" x="740" y="160" width="120" height="80" rx="6"/><rect class="gauge-bg" x="752" y="214" width="96" height="12" rx="3"/><rect class="gauge" id="load-bar" x="752" y="214" width="0" height="12" rx="3"/><line class="nominal" x1="832" y1="210" x2="832" y2="230"/><text class="value" id="load-value" x="800" y="200" text-anchor="middle">—</text><text class="caption" x="800" y="178" text-anchor="middle">Load</text>"#
        }
        10 => {
            r#"<rect class="box" x="275" y="262" width="90" height="64" rx="6"/><rect class="cell" x="287" y="276" width="14" height="36"/><rect class="cell" x="306" y="276" width="14" height="36"/><rect class="cell" x="325" y="276" width="14" height="36"/><rect class="cell" x="344" y="276" width="14" height="36"/><text class="value" id="battery-value" x="320" y="348" text-anchor="middle">—</text>"#
        }
        11 => {
            r#"<circle class="src" cx="50" cy="90" r="22"/><path class="sym" d="M36 90 q7 -12 14 0 t14 0"/>"#
        }
        12 => r#"<line class="wire" x1="72" y1="90" x2="410" y2="90"/>"#,
        13 => {
            r#"<rect class="box" x="410" y="60" width="80" height="60" rx="6"/><path class="sym" d="M420 100 l20 0 l25 -20 M465 100 l15 0"/>"#
        }
        14 => {
            r#"<line class="wire" x1="490" y1="90" x2="640" y2="90"/><line class="wire" x1="640" y1="90" x2="640" y2="200"/>"#
        }
        15 => {
            r#"<path class="wire" d="M50 68 L50 30 L700 30 L700 200"/><text class="caption" x="375" y="24" text-anchor="middle">Maintenance bypass</text>"#
        }
        16 => {
            r#"<circle class="icon" cx="450" cy="140" r="11"/><line class="icon-l" x1="442" y1="148" x2="458" y2="132"/>"#
        }
        17 => {
            r#"<path class="icon" d="M770 60 l10 -18 l10 18 z"/><text class="icon-t" x="780" y="57" text-anchor="middle">M</text>"#
        }
        18 => {
            r#"<path class="icon" d="M810 60 l10 -18 l10 18 z"/><text class="icon-t" x="820" y="57" text-anchor="middle">!</text>"#
        }
        19 => {
            r#"<circle class="icon" cx="50" cy="290" r="18"/><text class="icon-t" x="50" y="295" text-anchor="middle">G</text><line class="wire" x1="50" y1="272" x2="50" y2="222"/>"#
        }
        20 => r#"<text class="icon-t" x="320" y="252" text-anchor="middle">⇄</text>"#,
        21 => r#"<text class="icon-t" x="860" y="57" text-anchor="middle">IoT</text>"#,
        _ => "",
    }
}

/// The system symbol (§12.2.2): one block where the units' rectifiers, DC buses, batteries,
/// inverters and static switches would be; a click shows the system's UPS table.
const SYSTEM_SYMBOL: &str = r#"<rect class="box" x="150" y="60" width="340" height="180" rx="10"/><text class="system-title" x="320" y="130" text-anchor="middle">SYSTEM</text><text class="caption" id="system-units" x="320" y="160" text-anchor="middle"></text>"#;

/// The synoptic of `elements` (the view's, in order).
pub fn svg(elements: &[Element]) -> Markup {
    html! {
        svg #synoptic viewBox="0 0 900 360" role="img" aria-label="UPS synoptic" xmlns="http://www.w3.org/2000/svg" {
            @for element in elements {
                g id={ "el-" (element.number) } class=(class(element.colour))
                    data-colour=(format!("{:?}", element.colour)) data-table=[table_of(element.number)]
                    data-system=[SYSTEM_ELEMENTS.contains(&element.number).then_some("true")] {
                    title { (element.name) }
                    (PreEscaped(shapes(element.number)))
                }
            }
            g #system-symbol .el.c-grey data-table="ups" data-system="true" {
                title { "System" }
                (PreEscaped(SYSTEM_SYMBOL))
            }
        }
    }
}
