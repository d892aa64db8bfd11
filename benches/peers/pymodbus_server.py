"""A pymodbus TCP server holding 48 registers at 0x1060, the same block upstwin serves, for
the side-by-side benchmark (benches/modbus_tcp_vs_pymodbus.sh)."""

import sys

from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import StartTcpServer

port = int(sys.argv[1])
# pymodbus' sequential block is addressed one above the request address: start at 0x1061 so
# a read of 0x1060 lands on it.
block = ModbusSequentialDataBlock(0x1060 + 1, list(range(48)))
context = ModbusServerContext(devices=ModbusDeviceContext(hr=block, ir=block), single=True)
print("ready", flush=True)
StartTcpServer(context=context, address=("127.0.0.1", port))
