export default function Q() { return <h1>Queue</h1>; }
