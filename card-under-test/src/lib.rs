//! The reference network management card stack. It talks to the UPS only over Modbus and never
//! depends on `sim`. Empty until the card-core issue lands.
