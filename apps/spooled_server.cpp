// Placeholder until the server process lands.
int main() { return 0; }
