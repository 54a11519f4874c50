//! Sockets: one loopback listener per simulated broker, one thread per connection. A
//! connection thread reads a request, hands it to the world and waits for the answer
//! before it reads the next one: Kafka's broker mutes a channel while a request is being
//! handled (`SocketServer.Processor`), so a client's pipelined requests wait in its socket.

use super::wire::{self, Incoming, WireError};
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

pub type ConnId = u64;

/// Connections open at once over all listeners. Kafka has no default limit
/// (`max.connections`); a teaching server on loopback needs few, and a bound keeps a
/// runaway client from exhausting threads.
pub const MAX_CONNECTIONS: usize = 256;

/// A connection idle this long is closed (`connections.max.idle.ms`, 10 minutes).
const IDLE: Duration = Duration::from_secs(600);
/// A client that does not read its answers for this long is cut off.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the sockets tell the world.
pub enum ToWorld {
    Opened {
        conn: ConnId,
        broker: u32,
        peer: SocketAddr,
        /// A handle to close it from the world (a broker killed).
        stream: TcpStream,
        reply: Sender<Reply>,
    },
    Request {
        conn: ConnId,
        incoming: Box<Incoming>,
    },
    Closed {
        conn: ConnId,
        error: Option<String>,
    },
    /// A connection refused before it opened (its broker is down, or too many are open).
    Refused {
        broker: u32,
        peer: SocketAddr,
        why: Refusal,
    },
    /// A line typed on the control input (`serve`'s stdin).
    Control(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    BrokerDown,
    TooMany,
}

/// The world's answer to one request.
pub enum Reply {
    Frame(Vec<u8>),
    /// acks=0: Kafka sends nothing back.
    Nothing,
}

/// Per broker: whether its process is up (a dead broker's port refuses connections).
pub type BrokersUp = Arc<Vec<AtomicBool>>;

/// Binds one listener per broker: at `addr`'s port, the next ones for the next brokers,
/// or free ports when it is 0. A non-loopback address is bound only when asked for.
pub fn bind(addr: SocketAddr, brokers: u32) -> Result<Vec<TcpListener>, String> {
    (0..brokers)
        .map(|b| {
            let port = if addr.port() == 0 {
                0
            } else {
                addr.port().checked_add(b as u16).ok_or_else(|| {
                    format!(
                        "--listen {addr}: no port for broker {b} above {}",
                        addr.port()
                    )
                })?
            };
            let at = SocketAddr::new(addr.ip(), port);
            TcpListener::bind(at).map_err(|e| format!("cannot listen on {at}: {e}"))
        })
        .collect()
}

/// Whether an address is this machine's own (the default, and all `serve` binds unless
/// told otherwise).
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback()
}

/// Accepts connections on every listener, each on its own thread.
pub fn spawn_acceptors(listeners: Vec<TcpListener>, up: &BrokersUp, to_world: &Sender<ToWorld>) {
    let next = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    for (b, listener) in listeners.into_iter().enumerate() {
        let (up, tx, next, open) = (up.clone(), to_world.clone(), next.clone(), open.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let Ok(peer) = stream.peer_addr() else {
                    continue;
                };
                let refusal = if !up[b].load(Ordering::Acquire) {
                    Some(Refusal::BrokerDown)
                } else if open.load(Ordering::Acquire) >= MAX_CONNECTIONS {
                    Some(Refusal::TooMany)
                } else {
                    None
                };
                if let Some(why) = refusal {
                    drop(stream);
                    let _ = tx.send(ToWorld::Refused {
                        broker: b as u32,
                        peer,
                        why,
                    });
                    continue;
                }
                let conn = next.fetch_add(1, Ordering::AcqRel) as ConnId;
                open.fetch_add(1, Ordering::AcqRel);
                let (tx, open) = (tx.clone(), open.clone());
                thread::spawn(move || {
                    serve_connection(conn, b as u32, peer, stream, &tx);
                    open.fetch_sub(1, Ordering::AcqRel);
                });
            }
        });
    }
}

fn serve_connection(
    conn: ConnId,
    broker: u32,
    peer: SocketAddr,
    mut stream: TcpStream,
    tx: &Sender<ToWorld>,
) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (reply_tx, reply_rx): (Sender<Reply>, Receiver<Reply>) = mpsc::channel();
    let Ok(handle) = stream.try_clone() else {
        return;
    };
    let opened = ToWorld::Opened {
        conn,
        broker,
        peer,
        stream: handle,
        reply: reply_tx,
    };
    if tx.send(opened).is_err() {
        return;
    }
    let error = loop {
        let incoming = match wire::read_frame(&mut stream).and_then(wire::decode) {
            Ok(incoming) => incoming,
            Err(WireError::Closed) => break None,
            Err(e) => break Some(e.to_string()),
        };
        if tx
            .send(ToWorld::Request {
                conn,
                incoming: Box::new(incoming),
            })
            .is_err()
        {
            break None;
        }
        match reply_rx.recv() {
            Ok(Reply::Frame(bytes)) => {
                if let Err(e) = stream.write_all(&bytes) {
                    break Some(e.to_string());
                }
            }
            Ok(Reply::Nothing) => {}
            // The world closed it (its broker died, or the server is stopping).
            Err(_) => break None,
        }
    };
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = tx.send(ToWorld::Closed { conn, error });
}
