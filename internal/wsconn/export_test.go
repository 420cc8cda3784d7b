package wsconn

// HeldBytes is how many bytes c holds back from the network.
func HeldBytes(c *Conn) int {
	c.nc.mu.Lock()
	defer c.nc.mu.Unlock()
	return len(c.nc.buf)
}
