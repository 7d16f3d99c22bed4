package dev.junction.router.capacity;

/** What {@link CapacityContract#tryReserve(int, int)} answers: a {@link Reservation}, or a {@link Refusal}. */
public sealed interface Admission permits Reservation, Refusal {
}
